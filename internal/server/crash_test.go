package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// binary is the capsule binary built by TestMain for the crash test.
var binary, buildErr = "", error(nil)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "capsule-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "capsule")
	out, err := exec.Command("go", "build", "-o", binary, "../../cmd/capsule").CombinedOutput()
	if err != nil {
		buildErr = fmt.Errorf("go build ./cmd/capsule: %v\n%s", err, out)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startBinary runs `capsule server` and returns it with its address, read
// from the JSON log line announcing it.
func startBinary(t *testing.T, dataDir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(binary, "server", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--admin-email", "owner@example.com",
		// The burst is far above the per-user default meant for people.
		"--rate-limit-user", "1000000", "--rate-limit-ip", "1000000")
	cmd.Env = append(os.Environ(), "CAPSULE_ADMIN_PASSWORD="+testPassword)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct {
				Msg  string `json:"msg"`
				Addr string `json:"addr"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "capsule server listening" {
				addrc <- line.Addr
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case addr := <-addrc:
		return cmd, addr
	case <-time.After(60 * time.Second):
		t.Fatal("capsule server did not announce its address in 60s")
		return nil, ""
	}
}

// TestCrashDuringWrites: kill -9 during a burst of POSTs loses no resource
// whose creation was answered 201 (SQLite WAL with synchronous=FULL: a
// commit is on disk before the response is written).
func TestCrashDuringWrites(t *testing.T) {
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	dir := t.TempDir()
	cmd, addr := startBinary(t, dir)
	tok := login(t, addr, "owner@example.com", testPassword)

	var (
		mu      sync.Mutex
		created []string
		wg      sync.WaitGroup
		stop    = make(chan struct{})
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(`{"name":"p %d %d","slug":"p-%d-%d"}`, w, i, w, i)
				req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/projects", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				var p struct {
					ID string `json:"id"`
				}
				_ = json.NewDecoder(resp.Body).Decode(&p)
				resp.Body.Close()
				if resp.StatusCode == 201 {
					mu.Lock()
					created = append(created, p.ID)
					mu.Unlock()
				}
			}
		}()
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		n := len(created)
		mu.Unlock()
		if n >= 200 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no shutdown code runs
		t.Fatal(err)
	}
	_ = cmd.Wait()
	close(stop)
	wg.Wait()
	if len(created) == 0 {
		t.Fatal("no project was created before the kill")
	}

	_, addr = startBinary(t, dir)
	tok = login(t, addr, "owner@example.com", testPassword)
	for _, id := range created {
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/projects/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("project %s was answered 201 before the kill but is %d after the restart", id, resp.StatusCode)
		}
	}
	t.Logf("%d projects created before kill -9, all present after restart", len(created))
	checkEveryRowAudited(t, dir)
}

// checkEveryRowAudited opens the database the killed server left: every
// stored project must have the audit entry of its creation (the two
// committed together) and the chain must verify.
func checkEveryRowAudited(t *testing.T, dataDir string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, sqlstore.DSN("", dataDir), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var stored, unaudited int
	if err := st.DB().QueryRow(`SELECT COUNT(*) FROM projects`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	err = st.DB().QueryRow(`SELECT COUNT(*) FROM projects p WHERE NOT EXISTS (SELECT 1 FROM audit_log a
		WHERE a.target_id = p.id AND a.action = 'projects.create' AND a.outcome = 'success')`).Scan(&unaudited)
	if err != nil {
		t.Fatal(err)
	}
	if unaudited != 0 {
		t.Errorf("%d of %d stored projects have no audit entry", unaudited, stored)
	}
	res, err := identitystore.New(st).VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Finding != nil {
		t.Errorf("audit chain after kill -9: %v", res.Finding)
	}
}
