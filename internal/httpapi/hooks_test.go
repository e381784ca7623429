package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/gitevents"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/ratelimit"
	"github.com/usecapsule/capsule/internal/rbac"
)

// hookProviders are the providers whose recorded deliveries this test
// signs as each documents it (GitHub's go through the end-to-end test in
// internal/cli).
var hookProviders = []struct {
	name, repo         string
	push, open         string
	pushEvent, prEvent string
	sha, headSHA       string
	sign               func(h http.Header, secret string, body []byte)
}{
	{"gitlab", "https://gitlab.com/acme/shop", "gitlab-push.json", "gitlab-mr-open.json", "Push Hook", "Merge Request Hook",
		"3f786850e387550fdab836ed7e6dc881de23001b", "89e6c98d92887913cadf06b2adb97f26cde4849b",
		func(h http.Header, secret string, _ []byte) { h.Set("X-Gitlab-Token", secret) }},
	{"bitbucket", "git@bitbucket.org:acme/shop.git", "bitbucket-push.json", "bitbucket-pr-created.json", "repo:push", "pullrequest:created",
		"3f786850e387550fdab836ed7e6dc881de23001b", "89e6c98d9288",
		func(h http.Header, secret string, body []byte) {
			h.Set("X-Hub-Signature", "sha256="+gitevents.Sign([]byte(secret), body))
		}},
	{"gitea", "https://gitea.example.com/acme/shop.git", "gitea-push.json", "gitea-pr-opened.json", "push", "pull_request",
		"3f786850e387550fdab836ed7e6dc881de23001b", "89e6c98d92887913cadf06b2adb97f26cde4849b",
		func(h http.Header, secret string, body []byte) {
			h.Set("X-Gitea-Signature", gitevents.Sign([]byte(secret), body))
		}},
}

func hookHeaders(provider, event, id string) http.Header {
	h := http.Header{"Content-Type": {"application/json"}}
	switch provider {
	case "gitlab":
		h.Set("X-Gitlab-Event", event)
		h.Set("X-Gitlab-Event-UUID", id)
	case "bitbucket":
		h.Set("X-Event-Key", event)
		h.Set("X-Request-UUID", id)
	case "gitea":
		h.Set("X-Gitea-Event", event)
		h.Set("X-Gitea-Delivery", id)
	}
	return h
}

func postHook(t *testing.T, url, provider string, h http.Header, body []byte) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", url+"/api/v1/hooks/git/"+provider, bytes.NewReader(body))
	must(t, err)
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return resp.StatusCode, m
}

// TestGitLabBitbucketGiteaHooks: each provider's recorded push, signed its
// way, records a deploy of the commit's image to the environment tracking
// main (the job is queued; no runner here); a replay is a duplicate; a
// bad signature is 401 and records nothing; its pull request opened makes
// pr-7 on the tracking environment's cluster.
func TestGitLabBitbucketGiteaHooks(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		ctx := context.Background()
		st := tm.e.api.Store()
		for _, pv := range hookProviders {
			t.Run(pv.name, func(t *testing.T) {
				f := tm.newFixture(t, "hooks-"+pv.name)
				p, err := st.FindProject(ctx, f.project)
				must(t, err)
				p.Repository = capsule.Repository{Provider: pv.name, URL: pv.repo}
				must(t, st.UpdateProject(ctx, p))
				svc, err := st.FindService(ctx, f.service)
				must(t, err)
				svc.Source.Image = "registry.example.com/acme/api:latest"
				must(t, st.UpdateService(ctx, svc, tm.users[rbac.Owner]))
				tracking := &capsule.Environment{ProjectID: f.project, Name: "mainline", Kind: capsule.EnvStaging, ClusterID: f.cluster, Branch: "main"}
				must(t, st.CreateEnvironment(ctx, tracking))

				req, _ := http.NewRequest("POST", tm.e.srv.URL+"/api/v1/projects/"+f.project+"/webhook-secret", nil)
				req.Header.Set("Authorization", "Bearer "+tm.tokens[rbac.Owner])
				resp, err := http.DefaultClient.Do(req)
				must(t, err)
				var ws struct{ Secret, URL, Provider string }
				must(t, json.NewDecoder(resp.Body).Decode(&ws))
				resp.Body.Close()
				if resp.StatusCode != 201 || ws.Provider != pv.name || !strings.HasSuffix(ws.URL, "/api/v1/hooks/git/"+pv.name) {
					t.Fatalf("webhook secret: %d %+v", resp.StatusCode, ws)
				}
				// The fixture's project has other services with images
				// (they deploy too, each with the commit); this test
				// follows the one it gave an image.
				deployments := func() []capsule.Deployment {
					l, err := st.ListDeployments(ctx, capsule.DeploymentFilter{EnvironmentID: tracking.ID, ServiceID: f.service})
					must(t, err)
					return l.Items
				}

				push, err := os.ReadFile(filepath.Join("..", "gitevents", "testdata", pv.push))
				must(t, err)
				h := hookHeaders(pv.name, pv.pushEvent, "push-1")
				pv.sign(h, "whsec_wrong", push)
				if code, m := postHook(t, tm.e.srv.URL, pv.name, h, push); code != 401 || len(deployments()) != 0 {
					t.Fatalf("wrong signature: %d %v, %d deployments", code, m, len(deployments()))
				}
				h = hookHeaders(pv.name, pv.pushEvent, "push-1")
				if code, m := postHook(t, tm.e.srv.URL, pv.name, h, push); code != 401 || len(deployments()) != 0 {
					t.Fatalf("missing signature: %d %v", code, m)
				}
				pv.sign(h, ws.Secret, push)
				if code, m := postHook(t, tm.e.srv.URL, pv.name, h, push); code != 200 || m["status"] != "acted" {
					t.Fatalf("push: %d %v", code, m)
				}
				deps := deployments()
				if len(deps) != 1 || deps[0].Version != "registry.example.com/acme/api:"+pv.sha || deps[0].Commit.SHA != pv.sha ||
					!strings.Contains(deps[0].Commit.Message, "checkout total") || !strings.Contains(deps[0].Commit.Author, "Ada Lovelace") {
					t.Fatalf("deployments after the push: %+v", deps)
				}
				if code, m := postHook(t, tm.e.srv.URL, pv.name, h, push); code != 200 || m["status"] != "duplicate" || len(deployments()) != 1 {
					t.Fatalf("replay: %d %v", code, m)
				}

				open, err := os.ReadFile(filepath.Join("..", "gitevents", "testdata", pv.open))
				must(t, err)
				h = hookHeaders(pv.name, pv.prEvent, "open-1")
				pv.sign(h, ws.Secret, open)
				if code, m := postHook(t, tm.e.srv.URL, pv.name, h, open); code != 200 || m["status"] != "acted" {
					t.Fatalf("pull request opened: %d %v", code, m)
				}
				envs, err := st.ListEnvironments(ctx, capsule.EnvironmentFilter{ProjectID: f.project, Kind: capsule.EnvPreview})
				must(t, err)
				if len(envs.Items) != 1 || envs.Items[0].Name != "pr-7" || envs.Items[0].Namespace != "shop-pr-7" ||
					envs.Items[0].ClusterID != f.cluster || envs.Items[0].Preview == nil || envs.Items[0].Preview.HeadSHA != pv.headSHA {
					t.Fatalf("preview environments: %+v", envs.Items)
				}
				l, err := st.ListDeployments(ctx, capsule.DeploymentFilter{EnvironmentID: envs.Items[0].ID, ServiceID: f.service})
				must(t, err)
				if len(l.Items) != 1 || l.Items[0].Version != "registry.example.com/acme/api:"+pv.headSHA {
					t.Fatalf("preview deployments: %+v", l.Items)
				}
			})
		}
	})
}

// TestHookRouteRateLimited: deliveries are limited per client address like
// the other anonymous writes, so refused ones cannot grow the delivery log
// without bound.
func TestHookRouteRateLimited(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, func(c *httpapi.Config) { c.Access.IPRate = ratelimit.Rate{PerMinute: 1, Burst: 2} })
		body := []byte(`{"ref":`)
		for i, want := range []int{400, 400, 429} {
			code, m := postHook(t, e.srv.URL, "github", http.Header{"X-GitHub-Event": {"push"}}, body)
			if code != want {
				t.Fatalf("delivery %d: %d %v, want %d", i+1, code, m, want)
			}
		}
	})
}
