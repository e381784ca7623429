package gitdelivery

import (
	"context"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// baseline delivers p0 and merges it, so that envs/prod holds Capsule's
// files on main; it returns main's commit as ReadPath reports it.
func baseline(t *testing.T, f *forge, d *Deliverer, url string) string {
	t.Helper()
	res, err := d.Deliver(context.Background(), promotion("p0", url, map[string]string{"deployment-web.yaml": deploymentV1, "service-web.yaml": serviceV1}))
	if err != nil {
		t.Fatal(err)
	}
	gitCLI(t, f.bare("app"), "update-ref", "refs/heads/main", res.Commit)
	_, commit, err := d.ReadPath(context.Background(), GitTarget{URL: url, Branch: "main", Path: "envs/prod", Provider: "github", Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	if commit != res.Commit {
		t.Fatalf("ReadPath commit %s, want %s", commit, res.Commit)
	}
	return commit
}

func branchExists(f *forge, branch string) bool {
	return exec.Command("git", "--git-dir", f.bare("app"), "rev-parse", "--verify", "-q", branch).Run() == nil
}

func TestDisjointUpstreamChangeIsRebased(t *testing.T) {
	t.Parallel()
	f := newForge(t, "x-access-token")
	url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n"})
	d := f.deliverer(t, Config{})
	base := baseline(t, f, d, url)
	upstream := f.commitAs(t, "app", "main", map[string]string{"envs/prod/notes.md": "on call: pat\n", "README.md": "hello\n"})

	req := promotion("p5", url, map[string]string{"deployment-web.yaml": deploymentV2, "service-web.yaml": serviceV1})
	req.BaseCommit = base
	res, err := d.Deliver(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Conflicts) != 0 || res.Commit == "" {
		t.Fatalf("result = %+v", res)
	}
	bare := f.bare("app")
	if got := strings.TrimSpace(gitCLI(t, bare, "log", "-1", "--format=%P", res.Commit)); got != upstream {
		t.Fatalf("parent %s, want the new main %s", got, upstream)
	}
	if got := gitCLI(t, bare, "show", res.Commit+":envs/prod/notes.md"); got != "on call: pat\n" {
		t.Fatalf("upstream file = %q", got)
	}
	if got := gitCLI(t, bare, "show", res.Commit+":envs/prod/deployment-web.yaml"); got != deploymentV2 {
		t.Fatalf("deployment = %q", got)
	}
}

func TestConflictingUpstreamEditIsReported(t *testing.T) {
	t.Parallel()
	f := newForge(t, "x-access-token")
	url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n"})
	d := f.deliverer(t, Config{})
	base := baseline(t, f, d, url)
	f.commitAs(t, "app", "main", map[string]string{"envs/prod/deployment-web.yaml": deploymentV1 + "  paused: true\n"})

	req := promotion("p6", url, map[string]string{"deployment-web.yaml": deploymentV2, "service-web.yaml": serviceV1})
	req.BaseCommit = base
	res, err := d.Deliver(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"envs/prod/deployment-web.yaml"}; !reflect.DeepEqual(res.Conflicts, want) || res.Commit != "" || res.PRURL != "" {
		t.Fatalf("result = %+v, want conflicts %v", res, want)
	}
	if branchExists(f, "capsule/promotion-p6") {
		t.Fatal("a conflicting delivery was pushed")
	}
	if len(f.pulls) != 1 { // p0's only
		t.Fatalf("%d pull requests", len(f.pulls))
	}
}

func TestHumanEditOnPromotionBranch(t *testing.T) {
	t.Parallel()
	f := newForge(t, "x-access-token")
	url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n"})
	d := f.deliverer(t, Config{})
	req := promotion("p7", url, map[string]string{"deployment-web.yaml": deploymentV1, "service-web.yaml": serviceV1})
	if _, err := d.Deliver(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	// A person fixes something unrelated on the pull request: kept.
	fix := f.commitAs(t, "app", "capsule/promotion-p7", map[string]string{"envs/prod/NOTES.md": "reviewed\n"})
	req.Files["deployment-web.yaml"] = []byte(deploymentV2)
	res, err := d.Deliver(context.Background(), req)
	if err != nil || len(res.Conflicts) != 0 {
		t.Fatalf("disjoint hand edit: %+v, %v", res, err)
	}
	bare := f.bare("app")
	if got := strings.TrimSpace(gitCLI(t, bare, "log", "-1", "--format=%P", res.Commit)); got != fix {
		t.Fatalf("parent %s, want the person's commit %s", got, fix)
	}
	// A person edits Capsule's file on the branch: a conflict, nothing pushed.
	edit := f.commitAs(t, "app", "capsule/promotion-p7", map[string]string{"envs/prod/service-web.yaml": serviceV1 + "spec: {}\n"})
	req.Files["service-web.yaml"] = []byte(serviceV1 + "# v2\n")
	res, err = d.Deliver(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"envs/prod/service-web.yaml"}; !reflect.DeepEqual(res.Conflicts, want) {
		t.Fatalf("conflicts = %v, want %v", res.Conflicts, want)
	}
	if got := strings.TrimSpace(gitCLI(t, bare, "rev-parse", "capsule/promotion-p7")); got != edit {
		t.Fatalf("branch moved to %s over the person's edit %s", got, edit)
	}
}

func TestGitLogNamesEveryPromotionAfterMerge(t *testing.T) {
	t.Parallel()
	f := newForge(t, "x-access-token")
	url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n"})
	d := f.deliverer(t, Config{})
	work := t.TempDir()
	gitCLI(t, "", "clone", "-q", f.bare("app"), work)
	for i, id := range []string{"p8", "p9"} {
		req := promotion(id, url, map[string]string{"deployment-web.yaml": []string{deploymentV1, deploymentV2}[i]})
		req.Approvers = []string{"approver-" + id + "@example.com"}
		if _, err := d.Deliver(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		// The pull request is merged the way a forge does: a merge commit.
		gitCLI(t, work, "fetch", "-q", "origin")
		gitCLI(t, work, "merge", "-q", "--no-ff", "-m", "Merge "+id, "origin/capsule/promotion-"+id)
		gitCLI(t, work, "push", "-q", "origin", "HEAD:main")
	}
	got := gitCLI(t, f.bare("app"), "log", "--format=%(trailers:key=Capsule-Promotion-Id,key=Approved-by,valueonly=false)", "main", "--", "envs/prod")
	for _, want := range []string{"Capsule-Promotion-Id: p8", "Approved-by: approver-p8@example.com", "Capsule-Promotion-Id: p9", "Approved-by: approver-p9@example.com"} {
		if !strings.Contains(got, want) {
			t.Fatalf("git log -- envs/prod lacks %q:\n%s", want, got)
		}
	}
}
