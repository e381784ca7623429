package server

import (
	"context"
	"net/http/cgi"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/envstate"
	"github.com/usecapsule/capsule/internal/gitdelivery"
)

const gitHTTPBackend = "/usr/lib/git-core/git-http-backend"

// bareRepo serves a new bare repository whose main branch holds files over
// Git's smart HTTP protocol (git http-backend through net/http/cgi) on
// loopback, and returns its URL.
func bareRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	if _, err := os.Stat(gitHTTPBackend); err != nil {
		t.Fatalf("git http-backend is needed for this test: %v", err)
	}
	root := t.TempDir()
	srv := httptest.NewServer(&cgi.Handler{Path: gitHTTPBackend, Env: []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"}})
	t.Cleanup(srv.Close)
	bare := filepath.Join(root, "deploy.git")
	gitRun(t, "", "init", "-q", "--bare", "-b", "main", bare)
	work := t.TempDir()
	gitRun(t, "", "clone", "-q", bare, work)
	for p, body := range files {
		full := filepath.Join(work, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitRun(t, work, "add", "-A")
	gitRun(t, work, "commit", "-q", "-m", "initial")
	gitRun(t, work, "push", "-q", "origin", "HEAD:main")
	return srv.URL + "/deploy.git"
}

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+os.TempDir(),
		"GIT_AUTHOR_NAME=Pat Person", "GIT_AUTHOR_EMAIL=pat@example.com",
		"GIT_COMMITTER_NAME=Pat Person", "GIT_COMMITTER_EMAIL=pat@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// TestGitStateReadsEnvironmentPath: a gitops environment's desired state
// is the manifests under its Git path (Source git): kustomization and
// other files skipped, namespaced objects without a namespace placed in the
// environment's, and for one service only its labelled objects. A direct
// environment is not Git's to answer.
func TestGitStateReadsEnvironmentPath(t *testing.T) {
	url := bareRepo(t, map[string]string{
		"apps/web/Deployment-web.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    capsule.dev/service: web\nspec:\n  replicas: 2\n",
		"apps/web/Service-api.yaml":    "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: elsewhere\n  labels:\n    capsule.dev/service: api\n",
		"apps/web/kustomization.yaml":  "resources:\n- Deployment-web.yaml\n",
		"apps/web/README.md":           "not a manifest\n",
		"other/ConfigMap-x.yaml":       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
	})
	d := gitdelivery.New(gitdelivery.Config{Client: egress.New(egress.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, MaxBodyBytes: gitPackBytes})})
	g := gitState{d: d}
	env := &capsule.Environment{Name: "production", Namespace: "prod", DeliveryMode: capsule.DeliveryGitOps,
		Git: &capsule.EnvironmentGit{URL: url, Branch: "main", Path: "apps/web", Provider: "plain"}}
	ctx := context.Background()

	st, ok, err := g.Desired(ctx, env, nil)
	if err != nil || !ok || st.Source != envstate.SourceGit {
		t.Fatalf("Desired: ok %v, source %q, %v", ok, st.Source, err)
	}
	var got []string
	for _, o := range st.Objects {
		got = append(got, o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName())
	}
	if strings.Join(got, ",") != "Deployment/prod/web,Service/elsewhere/api" {
		t.Fatalf("objects %v", got)
	}
	st, _, err = g.Desired(ctx, env, &capsule.Service{Name: "web"})
	if err != nil || len(st.Objects) != 1 || st.Objects[0].GetName() != "web" {
		t.Fatalf("service web: %v, %v", st.Objects, err)
	}
	if _, ok, err := g.Desired(ctx, &capsule.Environment{Name: "staging", DeliveryMode: capsule.DeliveryDirect}, nil); ok || err != nil {
		t.Fatalf("a direct environment: ok %v, %v", ok, err)
	}
	env.Git.URL += "-missing"
	if _, _, err := g.Desired(ctx, env, nil); err == nil {
		t.Fatal("a repository that does not exist read as a state")
	}
}
