package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/server"
)

// TestNotifyChannels adds a Slack channel (its URL from stdin), lists it
// without the URL, and sends a test message that a Slack-like server on
// 127.0.0.1 receives; a channel that cannot deliver exits non-zero.
func TestNotifyChannels(t *testing.T) {
	var (
		mu    sync.Mutex
		texts []string
	)
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b struct{ Text string }
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &b)
		mu.Lock()
		texts = append(texts, b.Text)
		mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	}))
	defer slack.Close()
	url := startServerWith(t, t.TempDir(), func(o *server.Options) { o.EgressAllow = "127.0.0.1" })
	t.Setenv("CAPSULE_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	t.Setenv("CAPSULE_API_KEY", "")
	t.Setenv("CAPSULE_PASSWORD", testPassword)
	mustRun(t, "login", "--server", url)

	r := run(t, slack.URL+"/services/T/B/SECRET\n", "notify", "channels", "add", "deploys", "--kind", "slack_webhook", "--secret-stdin",
		"--quiet-hours", "22:00-07:00", "--timezone", "Europe/Berlin", "-o", "json")
	if r.code != 0 {
		t.Fatalf("add: exit %d: %s", r.code, r.err)
	}
	var ch struct{ ID string }
	must(t, json.Unmarshal([]byte(r.out), &ch))
	var l httpapi.ChannelList
	must(t, json.Unmarshal([]byte(mustRun(t, "notify", "channels", "list", "-o", "json")), &l))
	if len(l.Items) != 1 || l.Items[0].QuietHours == nil || l.Items[0].QuietHours.Timezone != "Europe/Berlin" {
		t.Fatalf("list: %+v", l.Items)
	}
	if table := mustRun(t, "notify", "channels", "list"); strings.Contains(table, "SECRET") || !strings.Contains(table, "22:00-07:00") {
		t.Errorf("table:\n%s", table)
	}
	if out := mustRun(t, "notify", "channels", "test", ch.ID); !strings.Contains(out, "delivered") {
		t.Errorf("test printed %q", out)
	}
	mu.Lock()
	if len(texts) != 1 || !strings.HasPrefix(texts[0], "Test notification") {
		t.Errorf("slack received %q", texts)
	}
	mu.Unlock()

	r = run(t, "http://127.0.0.2:9/hook", "notify", "channels", "add", "nowhere", "--kind", "teams", "--secret-stdin", "-o", "json")
	must(t, json.Unmarshal([]byte(r.out), &ch))
	if r := run(t, "", "notify", "channels", "test", ch.ID); r.code == 0 || !strings.Contains(r.err, "refusing") {
		t.Errorf("undeliverable channel: exit %d: %s", r.code, r.err)
	}
	if r := run(t, "", "notify", "channels", "add", "x", "--kind", "email", "--smtp", "http://mail"); r.code != ExitUsage || !strings.Contains(r.err, "--smtp") {
		t.Errorf("bad --smtp: exit %d: %s", r.code, r.err)
	}
}
