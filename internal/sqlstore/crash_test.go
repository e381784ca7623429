package sqlstore_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// crashChildEnv makes the test binary act as the crash test's writer.
const crashChildEnv = "SQLSTORE_CRASH_CHILD_DIR"

// crashChild writes organizations to the SQLite store in dir from several
// goroutines (so that commits are grouped) until killed, printing each id
// once its transaction has committed.
func crashChild(dir string) int {
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, filepath.Join(dir, "capsule.db"), sqlstore.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var mu sync.Mutex
	fail := make(chan error, 1)
	for w := range 4 {
		go func() {
			for i := 0; ; i++ {
				o := &capsule.Organization{Name: "Burst", Slug: fmt.Sprintf("burst-%d-%d", w, i)}
				if err := s.CreateOrganization(ctx, o, ""); err != nil {
					fail <- err
					return
				}
				mu.Lock()
				// One unbuffered write per commit: what the parent reads was committed.
				fmt.Fprintln(os.Stdout, o.ID)
				mu.Unlock()
			}
		}()
	}
	fmt.Fprintln(os.Stderr, <-fail)
	return 1
}

// TestCrashKeepsCommittedWrites kills a writer with SIGKILL in the middle of
// a burst of writes and checks that every write it reported as committed is
// in the database after reopening it.
func TestCrashKeepsCommittedWrites(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	must(t, cmd.Start())

	var ids []string
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		ids = append(ids, lines.Text())
		if len(ids) == 300 {
			must(t, cmd.Process.Signal(syscall.SIGKILL))
			break
		}
	}
	// Lines already in the pipe were printed after their commit too.
	for lines.Scan() {
		ids = append(ids, lines.Text())
	}
	err = cmd.Wait()
	if len(ids) < 300 {
		t.Fatalf("writer stopped after %d writes: %v\n%s", len(ids), err, stderr.String())
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("writer was not killed: %v\n%s", err, stderr.String())
	}

	s := openStore(t, filepath.Join(dir, "capsule.db"))
	ctx := context.Background()
	for _, id := range ids {
		if _, err := s.FindOrganization(ctx, id); err != nil {
			t.Fatalf("committed organization %s lost after kill -9: %v", id, err)
		}
	}
}
