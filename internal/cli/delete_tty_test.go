package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: what is written to the master is
// read from the slave as a terminal's input.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// TestCascadingDeleteAsksOnATerminal: on a terminal the delete prompts;
// anything but yes keeps the project, y deletes it.
func TestCascadingDeleteAsksOnATerminal(t *testing.T) {
	loginTo(t, startServer(t))
	mustRun(t, "projects", "create", "Shop Front")
	master, slave := openPTY(t)
	answer := func(line string) (int, string) {
		if _, err := master.WriteString(line); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		code := Main(context.Background(), []string{"projects", "delete", "shop-front"}, slave, &out, &errOut)
		return code, errOut.String()
	}
	code, errOut := answer("n\n")
	if code != ExitError || !strings.Contains(errOut, "Delete? [y/N]") || !strings.Contains(errOut, "not deleted") {
		t.Fatalf("answer n: exit %d, stderr %q", code, errOut)
	}
	mustRun(t, "projects", "get", "shop-front")
	if code, errOut := answer("y\n"); code != 0 {
		t.Fatalf("answer y: exit %d, stderr %q", code, errOut)
	}
	if r := run(t, "", "projects", "get", "shop-front"); r.code != ExitError {
		t.Fatalf("project still there after y: %q", r.out)
	}
}
