package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/pgtest"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// get fetches path with an optional token and returns status and body.
// metricsToken guards /metrics on the servers these tests start.
const metricsToken = "checkpoint-test-metrics-token"

func get(t *testing.T, addr, path, tok string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// eventually polls until ok returns true or 20 s pass.
func eventually(t *testing.T, what string, ok func() (bool, string)) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var done bool
		if done, last = ok(); done {
			return
		}
	}
	t.Fatalf("%s: never happened; last: %s", what, last)
}

// TestAuditTruncationNamedAtStart: a graceful shutdown anchors the chain's
// head in a signed checkpoint; deleting the newest entries while the
// server is down is found by the verification at the next start, which
// logs it, sets capsule_audit_chain_valid to 0, makes /readyz degraded
// (still 200) and names the truncation on the verify route.
func TestAuditTruncationNamedAtStart(t *testing.T) {
	for name, dsn := range map[string]func(t *testing.T, dir string) string{
		"sqlite":   func(_ *testing.T, dir string) string { return "" },
		"postgres": func(t *testing.T, _ string) string { return pgtest.Start(t) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			url := dsn(t, dir)
			env := map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword}
			s := startWith(t, Options{DataDir: dir, DatabaseURL: url, MetricsToken: metricsToken}, env)
			tok := login(t, s.addr, "owner@example.com", testPassword)
			for i := range 3 {
				req, _ := http.NewRequest("POST", "http://"+s.addr+"/api/v1/projects", strings.NewReader(fmt.Sprintf(`{"name":"P%d","slug":"p%d"}`, i, i)))
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			eventually(t, "metric 1 on an intact chain", func() (bool, string) {
				_, m := get(t, s.addr, "/metrics", metricsToken)
				return strings.Contains(m, "capsule_audit_chain_valid 1"), ""
			})
			if status, body := get(t, s.addr, "/readyz", ""); status != 200 || !strings.Contains(body, `"status":"ok"`) {
				t.Fatalf("/readyz on an intact chain: %d %s", status, body)
			}
			s.stop(t)

			ctx := context.Background()
			st, err := sqlstore.Open(ctx, sqlstore.DSN(url, dir), sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var head, anchored int64
			if err := st.DB().QueryRow(`SELECT MAX(seq) FROM audit_log`).Scan(&head); err != nil {
				t.Fatal(err)
			}
			if err := st.DB().QueryRow(`SELECT MAX(seq) FROM audit_checkpoints`).Scan(&anchored); err != nil || anchored != head {
				t.Fatalf("checkpoint at shutdown: seq %d, head %d, %v", anchored, head, err)
			}
			if _, err := st.DB().Exec(fmt.Sprintf(`DELETE FROM audit_log WHERE seq > %d`, head-2)); err != nil {
				t.Fatal(err)
			}
			st.Close()

			logs := &lockedBuffer{}
			s2 := startWith(t, Options{DataDir: dir, DatabaseURL: url, MetricsToken: metricsToken, Logger: slog.New(slog.NewJSONHandler(logs, nil))}, env)
			eventually(t, "/readyz degraded", func() (bool, string) {
				status, body := get(t, s2.addr, "/readyz", "")
				return status == 200 && strings.Contains(body, `"status":"degraded"`) && strings.Contains(body, `"audit":`), body
			})
			if _, m := get(t, s2.addr, "/metrics", metricsToken); !strings.Contains(m, "capsule_audit_chain_valid 0") {
				t.Errorf("metric after truncation: %s", grepLine(m, "capsule_audit_chain_valid"))
			}
			want := fmt.Sprintf("entries after seq %d (anchored at ", head-2)
			if !strings.Contains(logs.String(), "audit chain is broken") || !strings.Contains(logs.String(), want) {
				t.Errorf("start log does not name the truncation %q: %s", want, logs.String())
			}
			tok = login(t, s2.addr, "owner@example.com", testPassword)
			status, body := get(t, s2.addr, "/api/v1/audit/logs/verify", tok)
			var v struct {
				OK      bool `json:"ok"`
				Finding struct {
					Seq     int64
					Problem string
					Detail  string
				} `json:"finding"`
			}
			_ = json.Unmarshal([]byte(body), &v)
			// Signing in appended entries since, so the stored chain has
			// regrown past head-2; the checkpoint still names the loss.
			if status != 200 || v.OK || v.Finding.Problem != "truncated" || !strings.Contains(v.Finding.Detail, fmt.Sprintf("the checkpoint records entry %d", head)) {
				t.Errorf("verify after truncation: %d %s", status, body)
			}
			status, body = get(t, s2.addr, "/api/v1/audit/checkpoints", tok)
			if status != 200 || !strings.Contains(body, fmt.Sprintf(`"seq":%d`, head)) || !strings.Contains(body, `"publicKey":"`) {
				t.Errorf("checkpoint export: %d %s", status, body)
			}
		})
	}
}

func grepLine(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return "(absent)"
}
