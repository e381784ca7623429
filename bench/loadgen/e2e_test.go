package main

import (
	"bytes"
	"context"
	"github.com/usecapsule/capsule/internal/identitystore"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identity/password"
	"github.com/usecapsule/capsule/internal/identity/token"
	"github.com/usecapsule/capsule/internal/ratelimit"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// TestRunAgainstRealAPI drives the real API (SQLite store, real HTTP server
// on 127.0.0.1) with a bounded GET and a bounded POST run.
func TestRunAgainstRealAPI(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "capsule.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const pw = "loadgen test password"
	h, err := password.HashWith(pw, password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	u := &capsule.User{Email: "admin@localhost", Name: "Admin", PasswordHash: h}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateOrganization(ctx, &capsule.Organization{Name: "Default", Slug: "default", Subscription: capsule.Subscription{Tier: "free", Seats: 5, BillingCycle: "monthly"}}, u.ID); err != nil {
		t.Fatal(err)
	}
	unlimited := ratelimit.Rate{PerMinute: 1e9, Burst: 1e6}
	api, err := httpapi.New(httpapi.Config{Store: st, Tokens: token.NewIssuer([]byte(strings.Repeat("k", 32)), token.DefaultTTL),
		Access: httpapi.AccessConfig{Identity: identitystore.New(st), UserRate: unlimited, IPRate: unlimited}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	defer srv.Close()

	for name, args := range map[string][]string{
		"get":  {"-seed-projects", "3", "-path", "/api/v1/projects"},
		"post": {"-method", "POST", "-path", "/api/v1/services", "-body", `{"projectId":"{project}","name":"svc-{n}","type":"web"}`},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			args = append(args, "-url", srv.URL, "-password", pw, "-c", "2", "-n", "20", "-d", "30s")
			if err := run(ctx, args, &out); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), "requests=20  ok=20") || !strings.Contains(out.String(), "p99=") {
				t.Fatalf("unexpected report:\n%s", out.String())
			}
		})
	}
}
