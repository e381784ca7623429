package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// chatEndpoint is a chat-completions server on 127.0.0.1 that answers the
// given contents in turn and records what it was asked.
type chatEndpoint struct {
	mu      sync.Mutex
	answers []string
	calls   int
	models  []string
	auth    []string
}

func (c *chatEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model string `json:"model"`
	}
	if r.URL.Path != "/v1/chat/completions" || json.NewDecoder(r.Body).Decode(&req) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	answer := c.answers[min(c.calls, len(c.answers)-1)]
	c.calls++
	c.models = append(c.models, req.Model)
	c.auth = append(c.auth, r.Header.Get("Authorization"))
	c.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": answer}}}})
}

// explained is the explanation part of a preview response.
type explained struct {
	Explanation string `json:"explanation"`
	Source      *struct {
		Source         string `json:"source"`
		FallbackReason string `json:"fallback_reason"`
		Cached         bool   `json:"cached"`
	} `json:"explanation_source"`
}

// TestPreviewLLMExplanation configures the LLM through the environment and
// posts previews: a grounded answer is used with its names restored, the
// same facts again come from the server's one cache, and an answer with an
// invented number falls back to the deterministic text.
func TestPreviewLLMExplanation(t *testing.T) {
	chat := &chatEndpoint{answers: []string{"Deployment/R1 changes.", "This costs $4,321.99 more."}}
	llm := httptest.NewServer(chat)
	defer llm.Close()
	s := start(t, t.TempDir(), map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword,
		"CAPSULE_LLM_URL": llm.URL + "/v1", "CAPSULE_LLM_MODEL": "test-model", "CAPSULE_LLM_API_KEY": "sk-test",
		"CAPSULE_EGRESS_ALLOW": "127.0.0.0/8"})
	tok := login(t, s.addr, "owner@example.com", testPassword)
	const demo = "../preview/testdata/boutique/"
	withCluster := map[string]string{"current": manifests(t, demo+"current"), "proposed": manifests(t, demo+"proposed"), "clusterState": manifests(t, demo+"cluster")}

	first := postPreview(t, s.addr, tok, withCluster)
	if first.Source == nil || first.Source.Source != "llm" || first.Source.Cached ||
		!strings.HasPrefix(first.Explanation, "Deployment/") || strings.Contains(first.Explanation, "R1") {
		t.Fatalf("grounded answer not used: %+v %+v", first, first.Source)
	}
	again := postPreview(t, s.addr, tok, withCluster)
	if again.Source == nil || !again.Source.Cached || again.Explanation != first.Explanation {
		t.Errorf("same facts not served from the shared cache: %+v %+v", again, again.Source)
	}

	// Without the cluster state the facts differ, so the model is asked
	// again; this time it invents a number.
	delete(withCluster, "clusterState")
	invented := postPreview(t, s.addr, tok, withCluster)
	if invented.Source == nil || invented.Source.Source != "deterministic" || !strings.Contains(invented.Source.FallbackReason, "4321.99") ||
		strings.Contains(invented.Explanation, "4,321.99") || invented.Explanation == "" {
		t.Errorf("invented number not refused: %+v %+v", invented, invented.Source)
	}
	chat.mu.Lock()
	defer chat.mu.Unlock()
	if chat.calls != 2 || chat.models[0] != "test-model" || chat.auth[0] != "Bearer sk-test" {
		t.Errorf("chat endpoint saw %d calls, models %v, auth %v; want 2 calls of test-model with the key", chat.calls, chat.models, chat.auth)
	}
}

func postPreview(t *testing.T, addr, tok string, body map[string]string) explained {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/previews", strings.NewReader(string(b)))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e explained
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /api/v1/previews: %d %v", resp.StatusCode, err)
	}
	return e
}

// manifests concatenates the YAML files of dir into one multi-document text.
func manifests(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(data)
	}
	return b.String()
}

// TestValidateLLMAndRetention: bad LLM and retention settings, from flags or
// the environment, are refused at start with the setting named.
func TestValidateLLMAndRetention(t *testing.T) {
	env := map[string]string{"CAPSULE_AUDIT_RETENTION": "soon", "CAPSULE_LLM_URL": "ftp://x"}
	o := Options{Getenv: func(k string) string { return env[k] }}
	o.Complete()
	err := o.Validate()
	for _, want := range []string{"$CAPSULE_AUDIT_RETENTION", `--llm-url "ftp://x"`, "--llm-url needs --llm-model"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to name %s", err, want)
		}
	}
	env = map[string]string{"CAPSULE_AUDIT_RETENTION": "90d", "CAPSULE_LLM_URL": "http://127.0.0.1:11434/v1", "CAPSULE_LLM_MODEL": "llama3"}
	o = Options{Getenv: func(k string) string { return env[k] }}
	o.Complete()
	if err := o.Validate(); err != nil || o.AuditRetention != 90*24*time.Hour || o.LLM.Model != "llama3" {
		t.Errorf("Validate() = %v, retention %s, LLM %+v", err, o.AuditRetention, o.LLM)
	}
}
