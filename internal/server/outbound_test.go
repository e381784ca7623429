package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// TestServerSendsWebhooks: the server's own wiring queues an audited
// change (a project created through the API) for a webhook subscribed to
// audit.*, and its sender delivers it and a test message, signed so the
// reference library verifies them, to a receiver on 127.0.0.1 that
// --egress-allow admits.
func TestServerSendsWebhooks(t *testing.T) {
	var (
		mu     sync.Mutex
		secret string
		types  []string
		errs   []error
	)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		wh, err := standardwebhooks.NewWebhook(secret)
		if err == nil {
			err = wh.Verify(body, r.Header)
		}
		errs = append(errs, err)
		var m struct{ Type string }
		_ = json.Unmarshal(body, &m)
		types = append(types, m.Type)
	}))
	defer recv.Close()
	s := startWith(t, Options{DataDir: t.TempDir(), EgressAllow: "127.0.0.1"}, map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword})
	tok := login(t, s.addr, "owner@example.com", testPassword)
	call := func(method, path string, body any) []byte {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, "http://"+s.addr+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out)
		}
		return out
	}
	var created struct{ ID, Secret string }
	if err := json.Unmarshal(call("POST", "/api/v1/webhooks", map[string]any{"url": recv.URL, "events": []string{"audit.projects.*", "audit.project.*"}}), &created); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secret = created.Secret
	mu.Unlock()
	call("POST", "/api/v1/projects", map[string]string{"name": "Shop", "slug": "shop"})
	call("POST", "/api/v1/webhooks/"+created.ID+"/test", nil)
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		got := strings.Join(types, ",")
		failed := errs
		mu.Unlock()
		if strings.Contains(got, "webhook.test") && strings.Contains(got, "audit.") {
			for i, err := range failed {
				if err != nil {
					t.Errorf("request %d: verification failed: %v", i, err)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %q; want the project's audit event and webhook.test", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
