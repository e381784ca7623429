package pgtest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// orphanEnv makes the test binary start a server, print its directory and
// wait to be killed.
const orphanEnv = "PGTEST_ORPHAN"

func orphan() {
	srv, err := StartServer()
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println(srv.dir, srv.port)
	select {}
}

// TestKilledTestStopsItsServer kills a test binary that started a server
// without stopping it: the watcher must stop the server and remove its
// directory.
func TestKilledTestStopsItsServer(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), orphanEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := bufio.NewScanner(out)
	if !line.Scan() {
		t.Fatal("the child printed nothing")
	}
	var (
		dir  string
		port int
	)
	if _, err := fmt.Sscan(line.Text(), &dir, &port); err != nil {
		t.Fatalf("child: %s", line.Text())
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	// The watcher polls once a second; allow it a generous bound.
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
				c.Close()
				t.Fatalf("the directory is gone but the server still listens on port %d", port)
			}
			return
		}
	}
	t.Fatalf("server directory %s still exists a minute after its test was killed", dir)
}
