package cli

import (
	"encoding/json"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/server"
	"sigs.k8s.io/yaml"
)

const gitHTTPBackend = "/usr/lib/git-core/git-http-backend"

// bareRepos serves the bare repositories under a temporary root over Git's
// smart HTTP protocol (git http-backend through net/http/cgi) on loopback,
// as a plain Git server does.
type bareRepos struct {
	root string
	url  string
}

func newBareRepos(t *testing.T) *bareRepos {
	t.Helper()
	if _, err := os.Stat(gitHTTPBackend); err != nil {
		t.Fatalf("git http-backend is needed for this test: %v", err)
	}
	b := &bareRepos{root: t.TempDir()}
	srv := httptest.NewServer(&cgi.Handler{Path: gitHTTPBackend,
		Env: []string{"GIT_PROJECT_ROOT=" + b.root, "GIT_HTTP_EXPORT_ALL=1"}})
	t.Cleanup(srv.Close)
	b.url = srv.URL
	return b
}

// create makes a bare repository name.git whose main branch holds files and
// returns its URL.
func (b *bareRepos) create(t *testing.T, name string, files map[string]string) string {
	t.Helper()
	bare := b.path(name)
	runGit(t, "", "init", "-q", "--bare", "-b", "main", bare)
	runGit(t, bare, "config", "http.receivepack", "true")
	work := t.TempDir()
	runGit(t, "", "clone", "-q", bare, work)
	for p, body := range files {
		full := filepath.Join(work, p)
		must(t, os.MkdirAll(filepath.Dir(full), 0o755))
		must(t, os.WriteFile(full, []byte(body), 0o644))
	}
	runGit(t, work, "add", "-A")
	runGit(t, work, "commit", "-q", "-m", "initial")
	runGit(t, work, "push", "-q", "origin", "HEAD:main")
	return b.url + "/" + name + ".git"
}

func (b *bareRepos) path(name string) string { return filepath.Join(b.root, name+".git") }

// runGit runs the git CLI with a fixed identity and no user configuration.
func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+os.TempDir(),
		"GIT_AUTHOR_NAME=Pat Person", "GIT_AUTHOR_EMAIL=pat@example.com",
		"GIT_COMMITTER_NAME=Pat Person", "GIT_COMMITTER_EMAIL=pat@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestPromoteToGitOpsEnvironment: a promotion into a gitops environment
// whose repository is a plain Git server on loopback (allowed by the
// server's egress allow-list) is previewed and approved through the CLI;
// the bare repository then holds branch capsule/promotion-<id> whose commit
// carries the promotion id and approver trailers and whose files are YAML
// manifests under the environment's path.
func TestPromoteToGitOpsEnvironment(t *testing.T) {
	repos := newBareRepos(t)
	repoURL := repos.create(t, "deploy", map[string]string{"README.md": "deployments\n"})
	url := startServerWith(t, t.TempDir(), func(o *server.Options) { o.EgressAllow = "127.0.0.1/32" })
	loginTo(t, url)

	mustRun(t, "projects", "create", "Shop")
	mustRun(t, "envs", "create", "staging", "--project", "shop", "--kind", "staging")
	prod := writeFile(t, "production.yaml", "name: production\nprojectId: shop\nkind: production\ndeliveryMode: gitops\n"+
		"git:\n  url: "+repoURL+"\n  branch: main\n  path: apps/web\n  provider: git\n"+
		"approvalPolicy:\n  requiredApprovals: 1\n  allowSelfApproval: true\n")
	mustRun(t, "envs", "create", "-f", prod)
	svc := writeFile(t, "web.yaml", "name: web\nprojectId: shop\ntype: web\nsource:\n  image: ghcr.io/acme/web:3.1\n")
	mustRun(t, "services", "create", "-f", svc)

	var pv struct {
		PromotionID string `json:"promotion_id"`
		Status      string `json:"status"`
	}
	out := mustRun(t, "promote", "web", "--from", "staging", "--to", "production", "-o", "json")
	must(t, json.Unmarshal([]byte(out), &pv))
	if pv.Status != "pending_approval" {
		t.Fatalf("preview:\n%s", out)
	}
	out = mustRun(t, "promotions", "approve", pv.PromotionID, "-o", "json")
	var approved struct {
		Status, Note string
		Delivery     struct {
			Git struct{ Branch, Commit, PRState string }
		}
	}
	must(t, json.Unmarshal([]byte(out), &approved))
	branch := "capsule/promotion-" + pv.PromotionID
	if approved.Status != "delivered" || approved.Delivery.Git.Branch != branch || approved.Delivery.Git.PRState != "pushed" {
		t.Fatalf("approval:\n%s", out)
	}

	bare := repos.path("deploy")
	head := strings.TrimSpace(runGit(t, bare, "rev-parse", branch))
	if head != approved.Delivery.Git.Commit {
		t.Fatalf("branch %s is at %s, the promotion says %s", branch, head, approved.Delivery.Git.Commit)
	}
	trailers := runGit(t, bare, "log", "-1", "--format=%(trailers:only,unfold)", branch)
	if !strings.Contains(trailers, "Capsule-Promotion-Id: "+pv.PromotionID+"\n") || !strings.Contains(trailers, "Approved-by: Administrator <admin@localhost>\n") {
		t.Fatalf("commit trailers:\n%s", trailers)
	}
	files := strings.Fields(runGit(t, bare, "ls-tree", "-r", "--name-only", branch, "--", "apps/web"))
	yamls := 0
	for _, f := range files {
		if !strings.HasSuffix(f, ".yaml") {
			continue
		}
		yamls++
		var obj map[string]any
		must(t, yaml.Unmarshal([]byte(runGit(t, bare, "show", branch+":"+f)), &obj))
		if obj["kind"] == nil || obj["apiVersion"] == nil {
			t.Fatalf("%s is not a Kubernetes manifest: %v", f, obj)
		}
	}
	if yamls == 0 {
		t.Fatalf("no YAML manifests under apps/web on %s: %v", branch, files)
	}
	if main := strings.TrimSpace(runGit(t, bare, "ls-tree", "-r", "--name-only", "main")); main != "README.md" {
		t.Fatalf("main changed: %s", main)
	}
}
