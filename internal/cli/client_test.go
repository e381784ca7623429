package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/server"
)

const testPassword = "correct-horse-battery-staple"

// startServer runs the real control plane on a free loopback port with a
// temporary SQLite data dir and returns its URL.
func startServer(t *testing.T) string {
	t.Helper()
	return startServerIn(t, t.TempDir())
}

// startServerIn is startServer with the data directory chosen by the test.
func startServerIn(t *testing.T, dataDir string) string {
	t.Helper()
	return startServerWith(t, dataDir, nil)
}

// startServerWith is startServerIn with options changed by mutate.
func startServerWith(t testing.TB, dataDir string, mutate func(*server.Options)) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	env := map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword}
	o := server.Options{Listen: "127.0.0.1:0", DataDir: dataDir, AdminEmail: "admin@localhost",
		Stderr: io.Discard, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Getenv: func(k string) string { return env[k] }, OnListen: func(a string) { addrc <- a }}
	if mutate != nil {
		mutate(&o)
	}
	go func() { done <- server.Run(ctx, o) }()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("server did not start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start in 30s")
	}
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return "http://" + addr
}

type result struct {
	code     int
	out, err string
}

func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return result{code: code, out: out.String(), err: errOut.String()}
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	r := run(t, "", args...)
	if r.code != 0 {
		t.Fatalf("capsule %s: exit %d: %s", strings.Join(args, " "), r.code, r.err)
	}
	return r.out
}

func TestClientAgainstRealServer(t *testing.T) {
	url := startServer(t)
	cfgPath := filepath.Join(t.TempDir(), "capsule", "config.yaml")
	t.Setenv("CAPSULE_CONFIG", cfgPath)
	t.Setenv("CAPSULE_PASSWORD", "")
	t.Setenv("CAPSULE_API_KEY", "")

	if r := run(t, "", "projects", "list"); r.code != ExitError || !strings.Contains(r.err, "capsule login") {
		t.Fatalf("before login: exit %d, stderr %q", r.code, r.err)
	}
	if r := run(t, "wrong-password-123\n", "login", "--server", url, "--password-stdin"); r.code != ExitError || strings.Count(r.err, "\n") != 1 {
		t.Fatalf("bad password: exit %d, stderr %q (want one line)", r.code, r.err)
	}
	if r := run(t, testPassword+"\n", "login", "--server", url, "--password-stdin"); r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.err)
	}
	st, err := os.Stat(cfgPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config file: %v mode %v, want 0600", err, st.Mode())
	}

	if out := mustRun(t, "orgs", "list"); !strings.Contains(out, "default") {
		t.Fatalf("orgs list lacks the default organization:\n%s", out)
	}
	mustRun(t, "projects", "create", "Shop Front")
	var proj map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, "projects", "get", "shop-front", "-o", "json")), &proj); err != nil {
		t.Fatal(err)
	}
	if proj["slug"] != "shop-front" || proj["name"] != "Shop Front" {
		t.Fatalf("project = %v", proj)
	}
	mustRun(t, "envs", "create", "staging", "--project", "shop-front", "--kind", "staging")
	mustRun(t, "services", "create", "api", "--project", "shop-front", "--type", "api", "--port", "8080", "--env", "LOG_LEVEL=debug")

	out := mustRun(t, "services", "list", "--project", "shop-front")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[1], "api") {
		t.Fatalf("services table:\n%s", out)
	}
	var page struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "services", "list", "-o", "json")), &page); err != nil || len(page.Items) != 1 {
		t.Fatalf("services list -o json: %v %v", err, page)
	}
	if out := mustRun(t, "envs", "list", "-o", "yaml"); !strings.Contains(out, "kind: staging") {
		t.Fatalf("envs yaml:\n%s", out)
	}

	// Errors: one clear line and exit code 1; usage errors exit 2.
	r := run(t, "", "services", "create", "Not_A_DNS_Name", "--project", "shop-front")
	if r.code != ExitError || !strings.Contains(r.err, "VALIDATION_FAILED") || !strings.Contains(r.err, "name") || strings.Count(r.err, "\n") != 1 {
		t.Fatalf("invalid name: exit %d, stderr %q", r.code, r.err)
	}
	if r := run(t, "", "projects", "create", "Shop Front"); r.code != ExitError || !strings.Contains(r.err, "ALREADY_EXISTS") {
		t.Fatalf("duplicate slug: exit %d, stderr %q", r.code, r.err)
	}
	// Deploying needs a cluster, which staging does not name; a bad image
	// reference is refused first, by name.
	if r := run(t, "", "deployments", "create", "--service", "api", "--env", "staging", "--image", "ghcr.io/acme/api:v1"); r.code != ExitError ||
		!strings.Contains(r.err, "ENVIRONMENT_HAS_NO_CLUSTER") || !strings.Contains(r.err, "staging") {
		t.Fatalf("deploy without a cluster: exit %d, stderr %q", r.code, r.err)
	}
	if r := run(t, "", "deploy", "api", "--env", "staging", "--image", "Ghcr.io/UPPER/api:v1"); r.code != ExitError ||
		!strings.Contains(r.err, "VALIDATION_FAILED") || !strings.Contains(r.err, "image") || !strings.Contains(r.err, "UPPER") {
		t.Fatalf("deploy of a bad image reference: exit %d, stderr %q", r.code, r.err)
	}
	if r := run(t, "", "services", "list", "--bogus"); r.code != ExitUsage {
		t.Fatalf("unknown flag: exit %d, want 2", r.code)
	}
	if r := run(t, "", "services", "list", "-o", "xml"); r.code != ExitUsage {
		t.Fatalf("bad format: exit %d, want 2", r.code)
	}
	if r := run(t, "", "projects", "get", "no-such-project"); r.code != ExitError || !strings.Contains(r.err, "no-such-project") {
		t.Fatalf("unknown name: exit %d, stderr %q", r.code, r.err)
	}

	// Deleting the project removes its services (cascade).
	mustRun(t, "projects", "delete", "shop-front", "--yes")
	if err := json.Unmarshal([]byte(mustRun(t, "services", "list", "-o", "json")), &page); err != nil || len(page.Items) != 0 {
		t.Fatalf("services after project delete: %v %v", err, page.Items)
	}
	// Deleting an organization sends the confirmation the server asks for.
	mustRun(t, "orgs", "create", "Doomed Corp")
	mustRun(t, "orgs", "delete", "doomed-corp", "--yes")
	if r := run(t, "", "orgs", "get", "doomed-corp"); r.code != ExitError {
		t.Fatalf("deleted organization still found: exit %d", r.code)
	}
}

func TestExpiredAccessTokenIsRefreshed(t *testing.T) {
	url := startServer(t)
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	t.Setenv("CAPSULE_CONFIG", cfgPath)
	t.Setenv("CAPSULE_API_KEY", "")
	t.Setenv("CAPSULE_PASSWORD", testPassword)
	mustRun(t, "login", "--server", url, "--context", "local")

	// Spoil the access token as if it had expired; the refresh token still works.
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	spoiled := strings.Replace(string(data), "accessToken: ", "accessToken: x", 1)
	if err := os.WriteFile(cfgPath, []byte(spoiled), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, "orgs", "list"); !strings.Contains(out, "default") {
		t.Fatalf("orgs list after refresh:\n%s", out)
	}
	after, _ := os.ReadFile(cfgPath)
	if strings.Contains(string(after), "accessToken: x") {
		t.Fatal("refreshed tokens were not saved")
	}
}
