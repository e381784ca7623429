package server

import (
	"strings"
	"testing"
)

// TestTrustedProxiesOption: $CAPSULE_TRUSTED_PROXIES is read when the flag
// is empty, and a bad entry is refused at start, named.
func TestTrustedProxiesOption(t *testing.T) {
	env := map[string]string{"CAPSULE_TRUSTED_PROXIES": "10.0.0.0/8,lb.internal"}
	o := Options{Getenv: func(k string) string { return env[k] }}
	o.Complete()
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "--trusted-proxies") || !strings.Contains(err.Error(), "lb.internal") {
		t.Fatalf("Validate() = %v, want it to name --trusted-proxies and lb.internal", err)
	}
	env["CAPSULE_TRUSTED_PROXIES"] = "10.0.0.0/8, 192.0.2.7"
	o = Options{Getenv: func(k string) string { return env[k] }}
	o.Complete()
	if err := o.Validate(); err != nil || o.TrustedProxies != "10.0.0.0/8, 192.0.2.7" {
		t.Fatalf("Validate() = %v, TrustedProxies %q", err, o.TrustedProxies)
	}
}
