package gitdelivery

import (
	"context"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/gitprovider"
)

const deploymentV1 = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n"
const deploymentV2 = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n"
const serviceV1 = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"

func promotion(id, url string, files map[string]string) GitDelivery {
	req := GitDelivery{
		PromotionID: id,
		Target:      GitTarget{URL: url, Branch: "main", Path: "envs/prod", Provider: "github", Token: testToken},
		Files:       map[string][]byte{},
		Title:       "Promote web to prod",
		Body:        "## Preview\n\n+1 replica",
		Approvers:   []string{"Ada Lovelace <ada@example.com>", "grace@example.com"},
	}
	for k, v := range files {
		req.Files[k] = []byte(v)
	}
	return req
}

func TestFirstDelivery(t *testing.T) {
	t.Parallel()
	f := newForge(t, "x-access-token")
	url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n", "envs/prod/notes.yaml": "# hand-written\n"})
	d := f.deliverer(t, Config{})
	req := promotion("p1", url, map[string]string{"deployment-web.yaml": deploymentV1, "service-web.yaml": serviceV1})
	res, err := d.Deliver(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Branch != "capsule/promotion-p1" || res.PRState != "open" || !strings.HasSuffix(res.PRURL, "/acme/app/pull/1") || len(res.Conflicts) != 0 {
		t.Fatalf("result = %+v", res)
	}
	bare := f.bare("app")
	if got := strings.TrimSpace(gitCLI(t, bare, "rev-parse", "capsule/promotion-p1")); got != res.Commit {
		t.Fatalf("branch at %s, result says %s", got, res.Commit)
	}
	if got := gitCLI(t, bare, "show", res.Commit+":envs/prod/deployment-web.yaml"); got != deploymentV1 {
		t.Fatalf("deployment = %q", got)
	}
	if got := gitCLI(t, bare, "show", res.Commit+":envs/prod/notes.yaml"); got != "# hand-written\n" {
		t.Fatalf("hand-written file = %q", got)
	}
	trailers := gitCLI(t, bare, "log", "-1", "--format=%(trailers:only,unfold)", res.Commit)
	want := "Capsule-Promotion-Id: p1\nApproved-by: Ada Lovelace <ada@example.com>\nApproved-by: grace@example.com\n"
	if strings.TrimSpace(trailers) != strings.TrimSpace(want) {
		t.Fatalf("trailers = %q, want %q", trailers, want)
	}
	if got := gitCLI(t, bare, "log", "-1", "--format=%an <%ae>|%s", res.Commit); strings.TrimSpace(got) != "Capsule Bot <bot@capsule.test>|Promote web to prod" {
		t.Fatalf("author|subject = %q", got)
	}
	if got := gitCLI(t, bare, "log", "-1", "--format=%P", res.Commit); strings.TrimSpace(got) != strings.TrimSpace(gitCLI(t, bare, "rev-parse", "main")) {
		t.Fatalf("parent %q is not main", got)
	}
	comments := f.commentsOn(1)
	if len(comments) != 1 || comments[0] != gitprovider.Marker+"\n"+req.Body {
		t.Fatalf("comments = %q", comments)
	}
}

func TestRedeliveryUpdatesBranchPRAndComment(t *testing.T) {
	t.Parallel()
	f := newForge(t, "x-access-token")
	url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n"})
	d := f.deliverer(t, Config{})
	req := promotion("p2", url, map[string]string{"deployment-web.yaml": deploymentV1, "service-web.yaml": serviceV1})
	first, err := d.Deliver(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	// The same promotion again, unchanged: nothing new is pushed.
	again, err := d.Deliver(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if again.Commit != first.Commit {
		t.Fatalf("unchanged re-delivery made a new commit %s (was %s)", again.Commit, first.Commit)
	}
	// Re-previewed: new files (the Service dropped), new body.
	req.Files = map[string][]byte{"deployment-web.yaml": []byte(deploymentV2)}
	req.Body = "## Preview\n\n+2 replicas"
	second, err := d.Deliver(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if second.PRURL != first.PRURL || second.Commit == first.Commit {
		t.Fatalf("first %+v, second %+v", first, second)
	}
	bare := f.bare("app")
	// The branch was replaced (force with lease), not stacked: one commit on main.
	if got := strings.TrimSpace(gitCLI(t, bare, "rev-list", "--count", "main..capsule/promotion-p2")); got != "1" {
		t.Fatalf("%s commits on the branch, want 1", got)
	}
	files := gitCLI(t, bare, "ls-tree", "-r", "--name-only", "capsule/promotion-p2", "envs/prod")
	if strings.Contains(files, "service-web.yaml") || !strings.Contains(files, "deployment-web.yaml") {
		t.Fatalf("files = %s", files)
	}
	if c := f.commentsOn(1); len(c) != 1 || !strings.HasSuffix(c[0], "+2 replicas") {
		t.Fatalf("comments = %q", c)
	}
	if len(f.pulls) != 1 {
		t.Fatalf("%d pull requests", len(f.pulls))
	}
	st, err := d.State(context.Background(), req.Target, second.PRURL)
	if err != nil || st != "open" {
		t.Fatalf("state = %q, %v", st, err)
	}
	f.mu.Lock()
	f.pulls[1].State, f.pulls[1].Merged = "closed", true
	f.mu.Unlock()
	if st, err := d.State(context.Background(), req.Target, second.PRURL); err != nil || st != "merged" {
		t.Fatalf("state = %q, %v", st, err)
	}
}

func TestKustomizeOverlayKeepsHandWrittenFiles(t *testing.T) {
	t.Parallel()
	f := newForge(t, "x-access-token")
	kust := "# our overlay\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base # shared\n  - configmap.yaml\n"
	url := f.newRepo(t, "app", map[string]string{"envs/prod/kustomization.yaml": kust, "envs/prod/configmap.yaml": "kind: ConfigMap\n"})
	d := f.deliverer(t, Config{})
	req := promotion("p3", url, map[string]string{"deployment-web.yaml": deploymentV1, "service-web.yaml": serviceV1})
	res, err := d.Deliver(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	bare := f.bare("app")
	top := gitCLI(t, bare, "show", res.Commit+":envs/prod/kustomization.yaml")
	for _, want := range []string{"# our overlay", "- ../../base # shared", "- configmap.yaml", "- capsule"} {
		if !strings.Contains(top, want) {
			t.Fatalf("kustomization lost %q:\n%s", want, top)
		}
	}
	sub := gitCLI(t, bare, "show", res.Commit+":envs/prod/capsule/kustomization.yaml")
	if !strings.Contains(sub, "- deployment-web.yaml\n") || !strings.Contains(sub, "- service-web.yaml\n") || !strings.Contains(sub, "kind: Kustomization") {
		t.Fatalf("capsule kustomization:\n%s", sub)
	}
	if got := gitCLI(t, bare, "show", res.Commit+":envs/prod/configmap.yaml"); got != "kind: ConfigMap\n" {
		t.Fatalf("hand-written file = %q", got)
	}
	// A second promotion drops the Service: only Capsule's file goes, and
	// the kustomization is not listed twice.
	gitCLI(t, f.bare("app"), "update-ref", "refs/heads/main", res.Commit)
	req2 := promotion("p4", url, map[string]string{"deployment-web.yaml": deploymentV2})
	res2, err := d.Deliver(context.Background(), req2)
	if err != nil {
		t.Fatal(err)
	}
	tree := gitCLI(t, bare, "ls-tree", "-r", "--name-only", res2.Commit)
	if strings.Contains(tree, "service-web.yaml") || !strings.Contains(tree, "envs/prod/configmap.yaml") {
		t.Fatalf("tree:\n%s", tree)
	}
	if top2 := gitCLI(t, bare, "show", res2.Commit+":envs/prod/kustomization.yaml"); strings.Count(top2, "capsule") != 1 {
		t.Fatalf("kustomization:\n%s", top2)
	}
	// kustomize itself accepts the result.
	files, _, err := d.ReadPath(context.Background(), GitTarget{URL: url, Branch: "capsule/promotion-p4", Path: "envs/prod", Provider: "github", Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files["capsule/deployment-web.yaml"]; !ok || len(files) != 5 {
		t.Fatalf("ReadPath = %v", keys(files))
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Promotion ids that prefix each other keep separate branches.
func TestPrefixPromotionIDsStayApart(t *testing.T) {
	t.Parallel()
	f := newForge(t, "x-access-token")
	url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n"})
	d := f.deliverer(t, Config{})
	long, err := d.Deliver(context.Background(), promotion("p10", url, map[string]string{"deployment-web.yaml": deploymentV2}))
	if err != nil {
		t.Fatal(err)
	}
	short, err := d.Deliver(context.Background(), promotion("p1", url, map[string]string{"deployment-web.yaml": deploymentV1}))
	if err != nil {
		t.Fatal(err)
	}
	bare := f.bare("app")
	if got := strings.TrimSpace(gitCLI(t, bare, "rev-parse", "capsule/promotion-p10")); got != long.Commit {
		t.Fatalf("p10 moved to %s", got)
	}
	if got := gitCLI(t, bare, "show", short.Commit+":envs/prod/deployment-web.yaml"); got != deploymentV1 || short.PRURL == long.PRURL {
		t.Fatalf("p1: %q, %+v", got, short)
	}
	if got := strings.TrimSpace(gitCLI(t, bare, "rev-list", "--count", "main..capsule/promotion-p1")); got != "1" {
		t.Fatalf("p1 has %s commits over main", got)
	}
}
