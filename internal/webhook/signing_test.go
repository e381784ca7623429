package webhook_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/usecapsule/capsule/internal/webhook"
)

// TestSignMatchesSpecification signs the specification's example message
// and checks it against the reference library, both ways.
func TestSignMatchesSpecification(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	key, err := webhook.SecretKey(secret)
	must(t, err)
	ts := time.Unix(1614265330, 0)
	body := []byte(`{"test": 2432232314}`)
	got := webhook.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", ts, body)
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("signature %s, want the specification's %s", got, want)
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	must(t, err)
	ref, err := wh.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", ts, body)
	must(t, err)
	if ref != got {
		t.Errorf("reference library signs %s, we sign %s", ref, got)
	}
	fresh := webhook.NewSecret()
	fk, err := webhook.SecretKey(fresh)
	must(t, err)
	now := time.Now()
	h := http.Header{}
	for k, v := range webhook.Headers(fk, "msg_1", now, body) {
		h.Set(k, v)
	}
	wh, err = standardwebhooks.NewWebhook(fresh)
	must(t, err)
	if err := wh.Verify(body, h); err != nil {
		t.Errorf("the reference library refuses a fresh secret's signature: %v", err)
	}
}

func TestSecretKeyRefuses(t *testing.T) {
	for _, s := range []string{"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_***", "whsec_AAAA"} {
		if _, err := webhook.SecretKey(s); err == nil || !strings.HasPrefix(err.Error(), "webhook: signing secret") {
			t.Errorf("SecretKey(%q): %v", s, err)
		}
	}
}

// FuzzSecretKey: any input either yields a 24-64 byte key or an error.
func FuzzSecretKey(f *testing.F) {
	for _, s := range []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_====", webhook.NewSecret()} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := webhook.SecretKey(s)
		if err == nil && (len(k) < 24 || len(k) > 64) {
			t.Fatalf("SecretKey(%q) gave %d bytes", s, len(k))
		}
	})
}

// FuzzCheckPatterns: an accepted pattern matches a type it names, and
// Matches never panics.
func FuzzCheckPatterns(f *testing.F) {
	for _, s := range []string{"deployment.*", "*", "audit.projects.create", "Deploy!", "a..b", ".*", "deployment.failed"} {
		f.Add(s, "deployment.failed")
	}
	f.Fuzz(func(t *testing.T, p, typ string) {
		webhook.Matches([]string{p}, typ)
		if webhook.CheckPatterns([]string{p}) != nil {
			return
		}
		if name, fam := strings.CutSuffix(p, "*"); fam {
			if !webhook.Matches([]string{p}, name+"x") {
				t.Fatalf("%q does not match %q", p, name+"x")
			}
		} else if !webhook.Matches([]string{p}, p) {
			t.Fatalf("%q does not match itself", p)
		}
	})
}

func TestMatches(t *testing.T) {
	for _, c := range []struct {
		p, typ string
		want   bool
	}{
		{"deployment.*", "deployment.failed", true}, {"deployment.*", "deploymentx.failed", false},
		{"*", "audit.projects.create", true}, {"audit.*", "audit.projects.create", true},
		{"agent.offline", "agent.offline", true}, {"agent.offline", "agent.online", false},
	} {
		if got := webhook.Matches([]string{c.p}, c.typ); got != c.want {
			t.Errorf("Matches(%q, %q) = %v", c.p, c.typ, got)
		}
	}
}
