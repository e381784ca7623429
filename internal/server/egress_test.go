package server

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLLMOnLoopbackNeedsEgressAllow: the LLM endpoint is reached through
// the guarded client, so a local endpoint is refused until the
// installation allows its network.
func TestLLMOnLoopbackNeedsEgressAllow(t *testing.T) {
	chat := &chatEndpoint{answers: []string{"Deployment/R1 changes."}}
	llm := httptest.NewServer(chat)
	defer llm.Close()
	s := start(t, t.TempDir(), map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword,
		"CAPSULE_LLM_URL": llm.URL + "/v1", "CAPSULE_LLM_MODEL": "test-model"})
	tok := login(t, s.addr, "owner@example.com", testPassword)
	const demo = "../preview/testdata/boutique/"
	got := postPreview(t, s.addr, tok, map[string]string{"current": manifests(t, demo+"current"), "proposed": manifests(t, demo+"proposed")})
	if got.Source == nil || got.Source.Source != "deterministic" || !strings.Contains(got.Source.FallbackReason, "127.0.0.1 is loopback") {
		t.Fatalf("loopback LLM used or reason unclear: %+v", got.Source)
	}
	chat.mu.Lock()
	defer chat.mu.Unlock()
	if chat.calls != 0 {
		t.Fatalf("the endpoint was reached %d times", chat.calls)
	}
}

// TestValidateEgressAllow: a bad allow-list is refused at start, naming
// the option and the entry.
func TestValidateEgressAllow(t *testing.T) {
	env := map[string]string{"CAPSULE_EGRESS_ALLOW": "10.0.0.0/8,intranet"}
	o := Options{Getenv: func(k string) string { return env[k] }}
	o.Complete()
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), `--egress-allow: entry 2 "intranet"`) {
		t.Fatalf("Validate() = %v", err)
	}
	o = Options{EgressAllow: "10.20.0.0/16, 127.0.0.1", Getenv: func(string) string { return "" }}
	o.Complete()
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
}
