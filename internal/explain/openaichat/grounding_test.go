package openaichat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/explain"
	"github.com/usecapsule/capsule/internal/explain/openaichat"
)

// facts of a realistic preview, with names that must never reach the model.
func facts() explain.Facts {
	return explain.Facts{
		Added:          []string{"Deployment/recommendations"},
		Modified:       []string{"Deployment/checkout"},
		Changes:        3,
		Currency:       "USD",
		Namespaces:     []string{"shop-prod"},
		BaselineCents:  12540,
		ProjectedCents: 14260,
		Drivers:        []explain.Driver{{Resource: "Deployment/recommendations", DeltaCents: 1720}},
		RiskLevel:      "high",
		Risks: []explain.Risk{{Rule: "replicas-lowered", Category: "replicas", Severity: 7.5, Status: "new",
			Resource: "Deployment/checkout", Message: "Deployment/checkout replicas lowered from 3 to 1: no redundancy left"}},
	}
}

// chatServer is an OpenAI-compatible endpoint on 127.0.0.1 that records
// requests and answers with whatever reply returns.
type chatServer struct {
	t       *testing.T
	calls   atomic.Int32
	mu      sync.Mutex
	last    map[string]any
	headers http.Header
	query   string
	reply   func(w http.ResponseWriter, r *http.Request)
}

func newChatServer(t *testing.T, reply func(w http.ResponseWriter, r *http.Request)) (*chatServer, *httptest.Server) {
	t.Helper()
	cs := &chatServer{t: t, reply: reply}
	srv := httptest.NewServer(http.HandlerFunc(cs.serve))
	t.Cleanup(srv.Close)
	return cs, srv
}

func (cs *chatServer) serve(w http.ResponseWriter, r *http.Request) {
	cs.calls.Add(1)
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, "wrong endpoint "+r.Method+" "+r.URL.Path, http.StatusNotFound)
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	cs.mu.Lock()
	cs.last, cs.headers, cs.query = body, r.Header.Clone(), r.URL.RawQuery
	cs.mu.Unlock()
	cs.reply(w, r)
}

func answer(content string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "model": "test-model",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": content}}},
		})
	}
}

func client(srv *httptest.Server) *openaichat.Client {
	return &openaichat.Client{URL: srv.URL + "/v1", Model: "test-model", Key: "sk-test", HTTP: srv.Client()}
}

func TestGroundedAnswerIsRestored(t *testing.T) {
	cs, srv := newChatServer(t, answer("Deployment/R1 is new and adds +$17.20 a month (from $125.40 to $142.60); Deployment/R2 drops to 1 replica (severity 7.5)."))
	llm := explain.NewLLM(client(srv))
	res := llm.Explain(context.Background(), facts())
	if res.Source != "llm" || res.FallbackReason != "" {
		t.Fatalf("fell back: %+v", res)
	}
	want := "Deployment/recommendations is new and adds +$17.20 a month (from $125.40 to $142.60); Deployment/checkout drops to 1 replica (severity 7.5)."
	if res.Text != want {
		t.Errorf("text:\n got %s\nwant %s", res.Text, want)
	}
	checkRequest(t, cs)
	if got := cs.headers.Get("Authorization"); got != "Bearer sk-test" {
		t.Errorf("Authorization = %q", got)
	}
	// Same facts again: served from the cache, no second call.
	again := llm.Explain(context.Background(), facts())
	if !again.Cached || again.Text != want || cs.calls.Load() != 1 {
		t.Errorf("cache: %+v, calls %d", again, cs.calls.Load())
	}
}

// checkRequest verifies the wire format and that only placeholders left.
func checkRequest(t *testing.T, cs *chatServer) {
	t.Helper()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.last["model"] != "test-model" {
		t.Errorf("model = %v", cs.last["model"])
	}
	if ct := cs.headers.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	msgs, _ := cs.last["messages"].([]any)
	if len(msgs) != 2 {
		t.Fatalf("messages = %v", cs.last["messages"])
	}
	var all strings.Builder
	for i, role := range []string{"system", "user"} {
		m, _ := msgs[i].(map[string]any)
		if m["role"] != role {
			t.Errorf("message %d role = %v, want %s", i, m["role"], role)
		}
		content, _ := m["content"].(string)
		all.WriteString(content)
	}
	text := all.String()
	for _, leak := range []string{"checkout", "recommendations", "shop-prod"} {
		if strings.Contains(text, leak) {
			t.Errorf("request leaks %q:\n%s", leak, text)
		}
	}
	for _, ph := range []string{"Deployment/R1", "Deployment/R2", "NS1", "$125.40", "+$17.20", "7.5"} {
		if !strings.Contains(text, ph) {
			t.Errorf("request lacks %q:\n%s", ph, text)
		}
	}
}

func TestDiscardedAnswers(t *testing.T) {
	for _, tc := range []struct {
		name, content, reason string
	}{
		{"invented number", "Deployment/R2 adds $99.00 a month.", "number 99"},
		{"unknown placeholder", "Deployment/R7 is removed.", "placeholder R7"},
		{"invented resource", "Deployment/payments is at risk.", "resource Deployment/payments"},
		{"empty", "  ", "empty answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := newChatServer(t, answer(tc.content))
			res := explain.NewLLM(client(srv)).Explain(context.Background(), facts())
			assertFallback(t, res, tc.reason)
		})
	}
}

func assertFallback(t *testing.T, res explain.Result, reason string) {
	t.Helper()
	if res.Source != "deterministic" || res.Text != explain.Deterministic(facts()) {
		t.Errorf("not the deterministic text: %+v", res)
	}
	if !strings.Contains(res.FallbackReason, reason) {
		t.Errorf("reason %q does not mention %q", res.FallbackReason, reason)
	}
}

func TestServerError(t *testing.T) {
	cs, srv := newChatServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte(`{"error":{"message":"model overloaded","type":"server_error"}}`))
	})
	llm := explain.NewLLM(client(srv))
	assertFallback(t, llm.Explain(context.Background(), facts()), "HTTP 500: model overloaded")
	// Failures are not cached: the next preview asks again.
	llm.Explain(context.Background(), facts())
	if cs.calls.Load() != 2 {
		t.Errorf("calls = %d, want 2", cs.calls.Load())
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	_, srv := newChatServer(t, func(w http.ResponseWriter, r *http.Request) {
		select { // hold the answer until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	llm := explain.NewLLM(client(srv))
	llm.Timeout = 50 * time.Millisecond
	assertFallback(t, llm.Explain(context.Background(), facts()), "did not answer within 50ms")
}

func TestAzureDialect(t *testing.T) {
	cs, srv := newChatServer(t, answer("Deployment/R2 loses redundancy."))
	c := client(srv)
	c.APIVersion = "2024-10-21"
	res := explain.NewLLM(c).Explain(context.Background(), facts())
	if res.Source != "llm" {
		t.Fatalf("fell back: %+v", res)
	}
	if cs.headers.Get("api-key") != "sk-test" || cs.headers.Get("Authorization") != "" {
		t.Errorf("headers: %v", cs.headers)
	}
	if cs.query != "api-version=2024-10-21" {
		t.Errorf("query = %q", cs.query)
	}
}

func TestInvalidURL(t *testing.T) {
	c := &openaichat.Client{URL: "ftp://example", Model: "m"}
	if _, err := c.Complete(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "invalid LLM URL") {
		t.Errorf("err = %v", err)
	}
}
