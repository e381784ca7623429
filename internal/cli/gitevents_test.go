package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/gitevents"
	"github.com/usecapsule/capsule/internal/server"
	"github.com/usecapsule/capsule/internal/testenv"
)

const (
	pushSHA = "3f786850e387550fdab836ed7e6dc881de23001b"
	openSHA = "89e6c98d92887913cadf06b2adb97f26cde4849b"
	syncSHA = "a54d88e06612d820bc3be72877c74f257b561b19"
)

// hookAnswer is the status and decoded body of one delivery.
type hookAnswer struct {
	status int
	body   map[string]any
	raw    string
}

func (h hookAnswer) code() string {
	e, _ := h.body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// deliver posts a GitHub delivery, signed with secret unless it is empty.
func deliver(t *testing.T, base, provider, event, id string, body []byte, sign func(http.Header)) hookAnswer {
	t.Helper()
	req, err := http.NewRequest("POST", base+"/api/v1/hooks/git/"+provider, bytes.NewReader(body))
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", id)
	if sign != nil {
		sign(req.Header)
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := hookAnswer{status: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &a.body)
	return a
}

func githubSig(secret string, body []byte) func(http.Header) {
	return func(h http.Header) { h.Set("X-Hub-Signature-256", "sha256="+gitevents.Sign([]byte(secret), body)) }
}

func recorded(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "gitevents", "testdata", name))
	must(t, err)
	return b
}

// TestGitEventsEndToEnd drives the inbound GitHub webhook against the real
// server and the simulated cluster: refused deliveries (bad, missing and
// rotated-away signatures, an unknown repository, malformed JSON, an
// oversized body) change nothing but the delivery log; a push to the
// branch staging tracks deploys the commit's image there; a replay is a
// duplicate; a pull request opened creates pr-7 with its namespace and
// Deployment, synchronize redeploys the new head and closed removes the
// namespace and the environment.
func TestGitEventsEndToEnd(t *testing.T) {
	kc := testenv.Shared(t)
	base := startServerWith(t, t.TempDir(), func(o *server.Options) {
		o.EgressAllow = "127.0.0.1"
		o.DeployProgressDeadline = 30 * time.Second
		o.JobPoll = 100 * time.Millisecond
	})
	loginTo(t, base)
	ctx := context.Background()
	c, _, err := clientFromConfig("")
	must(t, err)
	var b [4]byte
	_, _ = rand.Read(b[:])
	slug := "shop-" + hex.EncodeToString(b[:])
	stagingNS := "gw-" + hex.EncodeToString(b[:])
	previewNS := slug + "-pr-7"

	mustRun(t, "clusters", "add", "sim", "--kubeconfig", kc.Kubeconfig)
	var project struct{ ID string }
	must(t, c.Do(ctx, "POST", "/api/v1/projects", map[string]any{"name": "Shop", "slug": slug,
		"repository": map[string]any{"provider": "github", "url": "git@github.com:acme/shop.git"},
		"settings":   map[string]any{"previewEnvironments": map[string]any{"baseDomain": "preview.example.com", "ttl": "48h"}}}, &project))
	mustRun(t, "envs", "create", "staging", "--project", slug, "--cluster", "sim", "--namespace", stagingNS, "--branch", "main")
	must(t, c.Do(ctx, "POST", "/api/v1/services", map[string]any{"projectId": project.ID, "name": "web", "type": "web",
		"source":        map[string]any{"image": "ghcr.io/acme/web:latest"},
		"configuration": map[string]any{"networking": map[string]any{"port": 8080, "public": true, "domains": []string{"shop.example.com"}}}}, nil))

	// The webhook secret is shown once; asking again rotates it.
	var ws struct {
		Secret, URL, Provider string
		Events                []string
	}
	must(t, c.Do(ctx, "POST", "/api/v1/projects/"+project.ID+"/webhook-secret", nil, &ws))
	old := ws.Secret
	if ws.URL != base+"/api/v1/hooks/git/github" || ws.Provider != "github" || strings.Join(ws.Events, ",") != "push,pull_request" || len(old) < 40 {
		t.Fatalf("webhook secret answer: %+v", ws)
	}
	must(t, c.Do(ctx, "POST", "/api/v1/projects/"+project.ID+"/webhook-secret", nil, &ws))
	if ws.Secret == old {
		t.Fatal("a second call did not rotate the secret")
	}
	// The secrets API lists it but never shows it.
	var secs struct {
		Items []struct{ ID, Name string }
	}
	must(t, c.Do(ctx, "GET", "/api/v1/secrets?projectId="+project.ID, nil, &secs))
	if len(secs.Items) != 1 || secs.Items[0].Name != gitevents.SecretName {
		t.Fatalf("secrets: %+v", secs)
	}
	var ae *apiclient.Error
	if err := c.Do(ctx, "GET", "/api/v1/secrets/"+secs.Items[0].ID+"/value", nil, nil); !errors.As(err, &ae) || ae.Code != "WEBHOOK_SECRET_SEALED" {
		t.Fatalf("reading the webhook secret through the secrets API: %v", err)
	}

	push := recorded(t, "github-push.json")
	nothingChanged := func(step string) {
		t.Helper()
		var deps struct{ Items []map[string]any }
		must(t, c.Do(ctx, "GET", "/api/v1/deployments?projectId="+project.ID, nil, &deps))
		var envs struct{ Items []map[string]any }
		must(t, c.Do(ctx, "GET", "/api/v1/environments?projectId="+project.ID, nil, &envs))
		if len(deps.Items) != 0 || len(envs.Items) != 1 {
			t.Fatalf("%s changed something: %d deployments, %d environments", step, len(deps.Items), len(envs.Items))
		}
	}
	big := append(bytes.Repeat([]byte(" "), gitevents.MaxPayloadBytes), push...)
	other := bytes.ReplaceAll(push, []byte("Acme/Shop"), []byte("Acme/Other"))
	for _, c := range []struct {
		name, provider string
		body           []byte
		sign           func(http.Header)
		status         int
		code           string
	}{
		{"wrong signature", "github", push, githubSig("whsec_wrong", push), 401, "WEBHOOK_SIGNATURE_INVALID"},
		{"missing signature", "github", push, nil, 401, "WEBHOOK_SIGNATURE_INVALID"},
		{"rotated-away secret", "github", push, githubSig(old, push), 401, "WEBHOOK_SIGNATURE_INVALID"},
		{"unknown repository", "github", other, githubSig(ws.Secret, other), 404, "WEBHOOK_REPOSITORY_UNKNOWN"},
		{"malformed JSON", "github", push[:len(push)/2], githubSig(ws.Secret, push[:len(push)/2]), 400, "WEBHOOK_PAYLOAD_INVALID"},
		{"oversized body", "github", big, githubSig(ws.Secret, big), 413, "PAYLOAD_TOO_LARGE"},
		{"unknown provider", "svn", push, githubSig(ws.Secret, push), 404, "WEBHOOK_PROVIDER_UNKNOWN"},
	} {
		a := deliver(t, base, c.provider, "push", "refused-"+c.name, c.body, c.sign)
		if a.status != c.status || (c.code != "" && a.code() != c.code) {
			t.Fatalf("%s: %d %s, want %d %s", c.name, a.status, a.raw, c.status, c.code)
		}
		nothingChanged(c.name)
	}
	if _, err := kc.Kubectl(ctx, "get", "namespace", stagingNS); err == nil {
		t.Fatal("a refused delivery created the staging namespace")
	}

	// A push to main deploys web at the commit to staging.
	a := deliver(t, base, "github", "push", "d-push", push, githubSig(ws.Secret, push))
	if a.status != 200 || a.body["status"] != "acted" {
		t.Fatalf("push: %d %s", a.status, a.raw)
	}
	var deps struct {
		Items []struct {
			ID, Version, EnvironmentID string
			Commit                     struct{ SHA, Message, Author string }
		}
	}
	must(t, c.Do(ctx, "GET", "/api/v1/deployments?projectId="+project.ID, nil, &deps))
	if len(deps.Items) != 1 || deps.Items[0].Version != "ghcr.io/acme/web:"+pushSHA || deps.Items[0].Commit.SHA != pushSHA ||
		deps.Items[0].Commit.Message != "Fix the checkout total" || !strings.Contains(deps.Items[0].Commit.Author, "Ada Lovelace") {
		t.Fatalf("deployments after the push: %+v", deps.Items)
	}
	waitImage(t, kc, stagingNS, "ghcr.io/acme/web:"+pushSHA)

	// The same delivery again is a duplicate and does nothing.
	a = deliver(t, base, "github", "push", "d-push", push, githubSig(ws.Secret, push))
	if a.status != 200 || a.body["status"] != "duplicate" {
		t.Fatalf("replay: %d %s", a.status, a.raw)
	}
	// Untracked branches and tags are ignored, with the reason.
	deleted := bytes.ReplaceAll(push, []byte(`"deleted":false`), []byte(`"deleted":true`))
	deleted = bytes.ReplaceAll(deleted, []byte(`"after":"`+pushSHA), []byte(`"after":"0000000000000000000000000000000000000000`))
	for id, c := range map[string]struct {
		body   []byte
		reason string
	}{
		"d-feature": {bytes.ReplaceAll(push, []byte(`"ref":"refs/heads/main"`), []byte(`"ref":"refs/heads/feature"`)), "no environment tracks branch feature"},
		"d-tag":     {bytes.ReplaceAll(push, []byte(`"ref":"refs/heads/main"`), []byte(`"ref":"refs/tags/v1"`)), "tag push refs/tags/v1"},
		"d-delete":  {deleted, "branch main deleted"},
	} {
		a = deliver(t, base, "github", "push", id, c.body, githubSig(ws.Secret, c.body))
		projects, _ := a.body["projects"].([]any)
		if a.status != 200 || a.body["status"] != "ignored" || len(projects) != 1 || !strings.Contains(fmt.Sprint(projects[0].(map[string]any)["reason"]), c.reason) {
			t.Fatalf("%s: %d %s, want ignored because %s", id, a.status, a.raw, c.reason)
		}
	}
	must(t, c.Do(ctx, "GET", "/api/v1/deployments?projectId="+project.ID, nil, &deps))
	if len(deps.Items) != 1 {
		t.Fatalf("the replay or the ignored pushes deployed: %+v", deps.Items)
	}

	// A pull request opened gets pr-7 in its namespace at the head commit.
	opened := recorded(t, "github-pr-opened.json")
	a = deliver(t, base, "github", "pull_request", "d-open", opened, githubSig(ws.Secret, opened))
	if a.status != 200 || a.body["status"] != "acted" {
		t.Fatalf("pull request opened: %d %s", a.status, a.raw)
	}
	waitImage(t, kc, previewNS, "ghcr.io/acme/web:"+openSHA)
	host := kubectl(t, kc, "get", "ingress", "-n", previewNS, "-o", "jsonpath={.items[0].spec.rules[0].host}")
	if want := "pr-7." + slug + ".preview.example.com"; host != want {
		t.Fatalf("the preview's Ingress host is %q, want %q", host, want)
	}
	list := mustRun(t, "envs", "list", "--project", slug)
	if !strings.Contains(list, "pr-7") || !strings.Contains(list, "https://pr-7."+slug+".preview.example.com") || !strings.Contains(list, "main") {
		t.Fatalf("envs list:\n%s", list)
	}

	// synchronize redeploys the new head.
	synced := recorded(t, "github-pr-synchronize.json")
	a = deliver(t, base, "github", "pull_request", "d-sync", synced, githubSig(ws.Secret, synced))
	if a.status != 200 || a.body["status"] != "acted" {
		t.Fatalf("synchronize: %d %s", a.status, a.raw)
	}
	waitImage(t, kc, previewNS, "ghcr.io/acme/web:"+syncSHA)

	// closed removes the namespace and the environment.
	closed := recorded(t, "github-pr-closed.json")
	a = deliver(t, base, "github", "pull_request", "d-close", closed, githubSig(ws.Secret, closed))
	if a.status != 200 || a.body["status"] != "acted" {
		t.Fatalf("closed: %d %s", a.status, a.raw)
	}
	out, err := kc.Kubectl(ctx, "get", "namespace", previewNS, "-o", "jsonpath={.metadata.deletionTimestamp}")
	if err == nil && strings.TrimSpace(string(out)) == "" {
		t.Fatalf("namespace %s is still there and not being deleted", previewNS)
	}
	var envs struct{ Items []struct{ Name string } }
	must(t, c.Do(ctx, "GET", "/api/v1/environments?projectId="+project.ID, nil, &envs))
	if len(envs.Items) != 1 || envs.Items[0].Name != "staging" {
		t.Fatalf("environments after the close: %+v", envs.Items)
	}

	// The delivery log has each verified delivery once and the refused
	// ones that named the project.
	var log struct {
		Items []struct{ DeliveryID, Outcome, Reason string }
	}
	must(t, c.Do(ctx, "GET", "/api/v1/projects/"+project.ID+"/hook-deliveries?limit=100", nil, &log))
	count := map[string]int{}
	for _, d := range log.Items {
		count[d.Outcome]++
	}
	if count["acted"] != 4 || count["ignored"] != 3 || count["rejected"] != 3 {
		t.Fatalf("delivery log: %v\n%+v", count, log.Items)
	}
	// Every change is audited as the webhook's.
	var audit struct {
		Items []struct{ Action, ActorID string }
	}
	must(t, c.Do(ctx, "GET", "/api/v1/audit/logs?actor=webhook:github", nil, &audit))
	actions := map[string]int{}
	for _, e := range audit.Items {
		actions[e.Action]++
	}
	if actions["services.deploy"] != 3 || actions["environments.create"] != 1 || actions["environments.update"] != 1 || actions["environments.delete"] != 1 {
		t.Fatalf("audit entries of webhook:github: %v", actions)
	}
}

// waitImage waits until the service web in ns runs image.
func waitImage(t *testing.T, kc *testenv.Cluster, ns, image string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		out, err := kc.Kubectl(context.Background(), "get", "deploy", "-n", ns, "-l", "capsule.dev/service=web",
			"-o", "jsonpath={.items[0].spec.template.spec.containers[0].image}")
		if err == nil && strings.TrimSpace(string(out)) == image {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("namespace %s does not run %s: %s %v", ns, image, out, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// TestGitEventsPreviewSleepAndTTL: the server's sweep scales an idle
// pull-request environment to zero after its project's sleepAfter, and
// removes it with its namespace after its ttl, though its pull request was
// never closed.
func TestGitEventsPreviewSleepAndTTL(t *testing.T) {
	kc := testenv.Shared(t)
	base := startServerWith(t, t.TempDir(), func(o *server.Options) {
		o.EgressAllow = "127.0.0.1"
		o.DeployProgressDeadline = 30 * time.Second
		o.JobPoll = 100 * time.Millisecond
		o.PreviewSweep = 300 * time.Millisecond
	})
	loginTo(t, base)
	ctx := context.Background()
	c, _, err := clientFromConfig("")
	must(t, err)
	var b [4]byte
	_, _ = rand.Read(b[:])
	slug := "idle-" + hex.EncodeToString(b[:])
	previewNS := slug + "-pr-7"
	mustRun(t, "clusters", "add", "sim", "--kubeconfig", kc.Kubeconfig)
	var project struct{ ID string }
	must(t, c.Do(ctx, "POST", "/api/v1/projects", map[string]any{"name": "Idle", "slug": slug,
		"repository": map[string]any{"url": "https://github.com/acme/shop"},
		"settings":   map[string]any{"previewEnvironments": map[string]any{"sleepAfter": "4s", "ttl": "25s"}}}, &project))
	mustRun(t, "envs", "create", "staging", "--project", slug, "--cluster", "sim", "--namespace", "gs-"+hex.EncodeToString(b[:]), "--branch", "main")
	must(t, c.Do(ctx, "POST", "/api/v1/services", map[string]any{"projectId": project.ID, "name": "web", "type": "web",
		"source": map[string]any{"image": "ghcr.io/acme/web:latest"}, "configuration": map[string]any{"networking": map[string]any{"port": 8080}}}, nil))
	var ws struct{ Secret string }
	must(t, c.Do(ctx, "POST", "/api/v1/projects/"+project.ID+"/webhook-secret", nil, &ws))

	opened := recorded(t, "github-pr-opened.json")
	if a := deliver(t, base, "github", "pull_request", "s-open", opened, githubSig(ws.Secret, opened)); a.status != 200 || a.body["status"] != "acted" {
		t.Fatalf("pull request opened: %d %s", a.status, a.raw)
	}
	waitImage(t, kc, previewNS, "ghcr.io/acme/web:"+openSHA)
	deadline := time.Now().Add(60 * time.Second)
	for strings.TrimSpace(kubectl(t, kc, "get", "deploy", "-n", previewNS, "-l", "capsule.dev/service=web", "-o", "jsonpath={.items[0].spec.replicas}")) != "0" {
		if time.Now().After(deadline) {
			t.Fatal("the idle preview was not scaled to zero")
		}
		time.Sleep(300 * time.Millisecond)
	}
	var env struct {
		Items []struct {
			Name    string
			Preview struct{ SleepingSince string }
		}
	}
	must(t, c.Do(ctx, "GET", "/api/v1/environments?projectId="+project.ID+"&kind=preview", nil, &env))
	if len(env.Items) != 1 || env.Items[0].Preview.SleepingSince == "" {
		t.Fatalf("the sleeping preview: %+v", env.Items)
	}
	for {
		must(t, c.Do(ctx, "GET", "/api/v1/environments?projectId="+project.ID+"&kind=preview", nil, &env))
		if len(env.Items) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the expired preview was not removed")
		}
		time.Sleep(300 * time.Millisecond)
	}
	out, err := kc.Kubectl(ctx, "get", "namespace", previewNS, "-o", "jsonpath={.metadata.deletionTimestamp}")
	if err == nil && strings.TrimSpace(string(out)) == "" {
		t.Fatalf("namespace %s of the expired preview is still there and not being deleted", previewNS)
	}
}
