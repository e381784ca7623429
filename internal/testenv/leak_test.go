package testenv_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/testenv"
)

// helperEnv makes TestLeakHelperCluster act as a child process that starts
// a cluster, reports it and waits to be signalled.
const helperEnv = "CAPSULE_TESTENV_LEAK_HELPER"

type helperReport struct {
	PIDs []int  `json:"pids"`
	Dir  string `json:"dir"`
}

// TestLeakHelperCluster is the child side of TestNoLeakedProcesses; run
// directly it checks that Stop ends every process and removes the
// directory.
func TestLeakHelperCluster(t *testing.T) {
	c := testenv.Start(t, testenv.WithNodes(1))
	if os.Getenv(helperEnv) == "" {
		pids := c.PIDs()
		for _, pid := range pids {
			if !testenv.Alive(pid) {
				t.Fatalf("process %d of a started cluster is not running", pid)
			}
		}
		c.Stop()
		waitGone(t, pids)
		if _, err := os.Stat(c.Dir); !os.IsNotExist(err) {
			t.Errorf("Stop left %s behind (stat: %v)", c.Dir, err)
		}
		return
	}
	b, _ := json.Marshal(helperReport{PIDs: c.PIDs(), Dir: c.Dir})
	fmt.Println("REPORT " + string(b))
	time.Sleep(5 * time.Minute) // until the parent signals us
}

// TestNoLeakedProcesses runs a test binary that starts a cluster, ends it
// the ways a test run can end, and checks no cluster process survives.
func TestNoLeakedProcesses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sig     syscall.Signal
		dirGone bool // only a graceful end can remove the directory
	}{
		{"interrupt", syscall.SIGINT, true},
		{"kill", syscall.SIGKILL, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestLeakHelperCluster$", "-test.count=1", "-test.timeout=5m")
			cmd.Env = append(os.Environ(), helperEnv+"=1")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			rep := readReport(t, stdout)
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			waitGone(t, rep.PIDs)
			_, err = os.Stat(rep.Dir)
			if tc.dirGone && !os.IsNotExist(err) {
				t.Errorf("cluster directory %s still exists after %s (stat: %v)", rep.Dir, tc.name, err)
			}
			if !tc.dirGone {
				// A killed owner cannot clean up; the next launch sweeps it.
				testenv.Start(t, testenv.WithNodes(1))
				if _, err := os.Stat(rep.Dir); !os.IsNotExist(err) {
					t.Errorf("stale directory %s of a killed run was not swept (stat: %v)", rep.Dir, err)
				}
			}
		})
	}
}

func readReport(t *testing.T, r interface{ Read([]byte) (int, error) }) helperReport {
	t.Helper()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(3 * time.Minute)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("helper exited without reporting its cluster")
			}
			if rest, found := strings.CutPrefix(l, "REPORT "); found {
				var rep helperReport
				if err := json.Unmarshal([]byte(rest), &rep); err != nil {
					t.Fatal(err)
				}
				go func() { // keep draining so the helper never blocks
					for range lines {
					}
				}()
				return rep
			}
		case <-timeout:
			t.Fatal("helper did not report a cluster within 3 minutes")
		}
	}
}

func waitGone(t *testing.T, pids []int) {
	t.Helper()
	if len(pids) != 5 {
		t.Fatalf("helper reported %d pids, want 5", len(pids))
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, pid := range pids {
		for testenv.Alive(pid) {
			if time.Now().After(deadline) {
				exe, _ := os.Readlink(filepath.Join("/proc", fmt.Sprint(pid), "exe"))
				t.Fatalf("process %d (%s) outlived its test binary", pid, exe)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
