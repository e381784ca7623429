package gitdelivery

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/usecapsule/capsule/internal/egress"
)

func TestTokenNeverInErrors(t *testing.T) {
	t.Parallel()
	f := newForge(t, "x-access-token")
	url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n"})
	d := f.deliverer(t, Config{})
	ctx := context.Background()

	// A wrong token: Git's 401 names the repository and branch, not the token.
	req := promotion("r1", url, map[string]string{"deployment-web.yaml": deploymentV1})
	req.Target.Token = "ghp_wrongTokenValue123"
	_, err := d.Deliver(ctx, req)
	if err == nil || strings.Contains(err.Error(), "ghp_wrongTokenValue123") || !strings.Contains(err.Error(), url) || !strings.Contains(err.Error(), "branch main") {
		t.Fatalf("err = %v", err)
	}
	if !errors.Is(err, transport.ErrAuthenticationRequired) {
		t.Fatalf("err = %v, want it to unwrap to authentication required", err)
	}

	// A token in the URL is refused without being repeated.
	req.Target.URL = strings.Replace(url, "http://", "http://x-access-token:"+testToken+"@", 1)
	if _, err := d.Deliver(ctx, req); err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "carries credentials") {
		t.Fatalf("err = %v", err)
	}

	// The provider API refuses: the pull request error names the repository.
	f.denyAPI.Store(true) // as if the token lacked the scope
	req = promotion("r2", url, map[string]string{"deployment-web.yaml": deploymentV1})
	_, err = d.Deliver(ctx, req)
	if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "opening the pull request") || !strings.Contains(err.Error(), "capsule/promotion-r2") {
		t.Fatalf("err = %v", err)
	}

	// A branch that does not exist.
	req.Target.Branch = "release"
	if _, err := d.Deliver(ctx, req); err == nil || !strings.Contains(err.Error(), "branch release: fetch: the branch does not exist") {
		t.Fatalf("err = %v", err)
	}
}

func TestBadRequestsAreNamed(t *testing.T) {
	t.Parallel()
	d := New(Config{})
	base := promotion("ok", "https://github.com/acme/app.git", map[string]string{"a.yaml": "x"})
	cases := map[string]func(r *GitDelivery){
		`promotion id "../x"`:                func(r *GitDelivery) { r.PromotionID = "../x" },
		`file name "../escape.yaml"`:         func(r *GitDelivery) { r.Files["../escape.yaml"] = []byte("x") },
		`file name ".git/config"`:            func(r *GitDelivery) { r.Files[".git/config"] = []byte("x") },
		`file name ".capsule-managed"`:       func(r *GitDelivery) { r.Files[".capsule-managed"] = []byte("x") },
		`branch "a..b"`:                      func(r *GitDelivery) { r.Target.Branch = "a..b" },
		`unknown provider "svn"`:             func(r *GitDelivery) { r.Target.Provider = "svn" },
		`path "/abs"`:                        func(r *GitDelivery) { r.Target.Path = "/abs" },
		"has no files":                       func(r *GitDelivery) { r.Files = nil },
		`approver "a\nb"`:                    func(r *GitDelivery) { r.Approvers = []string{"a\nb"} },
		`scheme "ssh" is not supported`:      func(r *GitDelivery) { r.Target.URL = "ssh://git@github.com/acme/app.git" },
		"local repositories are not allowed": func(r *GitDelivery) { r.Target.URL, r.Target.Provider = "/srv/repo.git", "git" },
	}
	for want, mutate := range cases {
		req := base
		req.Files = map[string][]byte{"a.yaml": []byte("x")}
		req.Target = base.Target
		mutate(&req)
		_, err := d.Deliver(context.Background(), req)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v", want, err)
		}
	}
}

func TestLocalRemotesArePlainRemotes(t *testing.T) {
	t.Parallel()
	f := newForge(t, "x-access-token")
	f.newRepo(t, "app", map[string]string{"README.md": "hi\n"})
	d := New(Config{AllowLocal: true, AuthorName: "Capsule", AuthorEmail: "capsule@example.com"})
	bare := f.bare("app")
	for i, url := range []string{bare, "file://" + bare} {
		id := []string{"l1", "l2"}[i]
		req := promotion(id, url, map[string]string{"deployment-web.yaml": deploymentV1})
		req.Target.Provider, req.Target.Token = "git", ""
		res, err := d.Deliver(context.Background(), req)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if res.PRState != "pushed" || res.PRURL != "" || res.Commit == "" {
			t.Fatalf("%s: %+v", url, res)
		}
		if got := gitCLI(t, bare, "show", "capsule/promotion-"+id+":envs/prod/deployment-web.yaml"); got != deploymentV1 {
			t.Fatalf("%s: deployment = %q", url, got)
		}
		files, commit, err := d.ReadPath(context.Background(), GitTarget{URL: url, Branch: "capsule/promotion-" + id, Path: "envs/prod", Provider: "git"})
		if err != nil || commit != res.Commit || string(files["deployment-web.yaml"]) != deploymentV1 {
			t.Fatalf("%s: ReadPath = %v, %s, %v", url, keys(files), commit, err)
		}
		if st, err := d.State(context.Background(), req.Target, ""); err != nil || st != "pushed" {
			t.Fatalf("state = %q, %v", st, err)
		}
	}
	// A path that is not a repository names the path.
	missing := filepath.Join(t.TempDir(), "nope.git")
	if err := os.MkdirAll(missing, 0o755); err != nil {
		t.Fatal(err)
	}
	req := promotion("l3", missing, map[string]string{"a.yaml": "x"})
	req.Target.Provider = "git"
	if _, err := d.Deliver(context.Background(), req); err == nil || !strings.Contains(err.Error(), "repository "+missing) {
		t.Fatalf("err = %v", err)
	}
}

func TestReadPathOfMissingDirectoryIsEmpty(t *testing.T) {
	t.Parallel()
	f := newForge(t, "x-access-token")
	url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n", "envs/dev/a.yaml": "kind: A\n"})
	d := f.deliverer(t, Config{})
	files, commit, err := d.ReadPath(context.Background(), GitTarget{URL: url, Branch: "main", Path: "envs/prod", Provider: "github", Token: testToken})
	if err != nil || len(files) != 0 || commit != strings.TrimSpace(gitCLI(t, f.bare("app"), "rev-parse", "main")) {
		t.Fatalf("ReadPath = %v, %q, %v", keys(files), commit, err)
	}
	files, _, err = d.ReadPath(context.Background(), GitTarget{URL: url, Branch: "main", Path: "envs", Provider: "github", Token: testToken})
	if err != nil || string(files["dev/a.yaml"]) != "kind: A\n" || len(files) != 1 {
		t.Fatalf("ReadPath = %v, %v", keys(files), err)
	}
}

// Git's own requests go through the Deliverer's client: the guarded client
// without an allow-list refuses the loopback forge, for Git and the API.
func TestGitGoesThroughTheGuardedClient(t *testing.T) {
	t.Parallel()
	f := newForge(t, "x-access-token")
	url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n"})
	d := New(Config{Client: egress.New(egress.Options{})})
	_, err := d.Deliver(context.Background(), promotion("g1", url, map[string]string{"a.yaml": "x"}))
	var refused *egress.Error
	if !errors.As(err, &refused) || !refused.Refused || strings.Contains(err.Error(), testToken) {
		t.Fatalf("err = %v, want the egress guard's refusal", err)
	}
	if _, _, err := d.ReadPath(context.Background(), GitTarget{URL: url, Branch: "main", Provider: "github", Token: testToken}); !errors.As(err, &refused) {
		t.Fatalf("ReadPath err = %v", err)
	}
}
