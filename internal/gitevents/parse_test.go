package gitevents

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	sha1 = "3f786850e387550fdab836ed7e6dc881de23001b"
	sha2 = "89e6c98d92887913cadf06b2adb97f26cde4849b"
	sha3 = "a54d88e06612d820bc3be72877c74f257b561b19"
)

// payloads are the recorded deliveries in testdata with the event header
// each provider sends them with.
var payloads = []struct {
	file, provider, event string
	kind                  string
	branch                string // push
	number                int    // pull request
	action, sha           string
	repo                  string
}{
	{"github-push.json", "github", "push", KindPush, "main", 0, "", sha1, "github.com/acme/shop"},
	{"github-pr-opened.json", "github", "pull_request", KindPullRequest, "", 7, PROpen, sha2, "github.com/acme/shop"},
	{"github-pr-synchronize.json", "github", "pull_request", KindPullRequest, "", 7, PRUpdate, sha3, "github.com/acme/shop"},
	{"github-pr-closed.json", "github", "pull_request", KindPullRequest, "", 7, PRClose, sha3, "github.com/acme/shop"},
	{"gitea-push.json", "gitea", "push", KindPush, "main", 0, "", sha1, "gitea.example.com/acme/shop"},
	{"gitea-pr-opened.json", "gitea", "pull_request", KindPullRequest, "", 7, PROpen, sha2, "gitea.example.com/acme/shop"},
	{"gitea-pr-synchronized.json", "gitea", "pull_request", KindPullRequest, "", 7, PRUpdate, sha3, "gitea.example.com/acme/shop"},
	{"gitea-pr-closed.json", "gitea", "pull_request", KindPullRequest, "", 7, PRClose, sha3, "gitea.example.com/acme/shop"},
	{"gitlab-push.json", "gitlab", "Push Hook", KindPush, "main", 0, "", sha1, "gitlab.com/acme/shop"},
	{"gitlab-mr-open.json", "gitlab", "Merge Request Hook", KindPullRequest, "", 7, PROpen, sha2, "gitlab.com/acme/shop"},
	{"gitlab-mr-update.json", "gitlab", "Merge Request Hook", KindPullRequest, "", 7, PRUpdate, sha3, "gitlab.com/acme/shop"},
	{"gitlab-mr-merge.json", "gitlab", "Merge Request Hook", KindPullRequest, "", 7, PRClose, sha3, "gitlab.com/acme/shop"},
	{"bitbucket-push.json", "bitbucket", "repo:push", KindPush, "main", 0, "", sha1, "bitbucket.org/acme/shop"},
	{"bitbucket-pr-created.json", "bitbucket", "pullrequest:created", KindPullRequest, "", 7, PROpen, sha2[:12], "bitbucket.org/acme/shop"},
	{"bitbucket-pr-updated.json", "bitbucket", "pullrequest:updated", KindPullRequest, "", 7, PRUpdate, sha3[:12], "bitbucket.org/acme/shop"},
	{"bitbucket-pr-fulfilled.json", "bitbucket", "pullrequest:fulfilled", KindPullRequest, "", 7, PRClose, sha3[:12], "bitbucket.org/acme/shop"},
}

func readPayload(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseRecordedPayloads reads each provider's recorded push and pull
// request deliveries into the same event.
func TestParseRecordedPayloads(t *testing.T) {
	for _, p := range payloads {
		t.Run(p.file, func(t *testing.T) {
			ev, err := ProviderOf(p.provider).Parse(p.event, readPayload(t, p.file))
			if err != nil {
				t.Fatal(err)
			}
			if ev.Kind != p.kind {
				t.Fatalf("kind %q, want %q", ev.Kind, p.kind)
			}
			matched := false
			for _, u := range ev.Repositories {
				if k, err := RepositoryKey(u); err == nil && k == p.repo {
					matched = true
				}
			}
			if !matched {
				t.Fatalf("repositories %v: none is %s", ev.Repositories, p.repo)
			}
			switch p.kind {
			case KindPush:
				if len(ev.Pushes) != 1 || ev.Pushes[0].Branch != p.branch || ev.Pushes[0].Tag || ev.Pushes[0].Deleted ||
					ev.Pushes[0].Commit.SHA != p.sha || !strings.Contains(ev.Pushes[0].Commit.Message, "checkout total") ||
					!strings.Contains(ev.Pushes[0].Commit.Author, "Ada Lovelace") {
					t.Fatalf("push: %+v", ev.Pushes)
				}
			case KindPullRequest:
				pr := ev.PullRequest
				if pr.Number != p.number || pr.Action != p.action || pr.Commit.SHA != p.sha || pr.BaseBranch != "main" || pr.HeadBranch != "gift-cards" {
					t.Fatalf("pull request: %+v", pr)
				}
			}
		})
	}
}

// TestParseRefusesMalformed: bodies that are not the provider's payload
// are errors naming why.
func TestParseRefusesMalformed(t *testing.T) {
	for _, name := range Providers {
		p := ProviderOf(name)
		for _, body := range []string{`{"ref":`, `[]`, `{}`, `"x"`} {
			if _, err := p.Parse(p.Events()[0], []byte(body)); err == nil {
				t.Errorf("%s parsed %s", name, body)
			}
		}
	}
}

// TestPushesIgnoredShapes: tags and deleted branches are told apart.
func TestPushesIgnoredShapes(t *testing.T) {
	body := strings.NewReplacer(`"ref":"refs/heads/main"`, `"ref":"refs/tags/v1.0"`).Replace(string(readPayload(t, "github-push.json")))
	ev, err := github{}.Parse("push", []byte(body))
	if err != nil || !ev.Pushes[0].Tag || ev.Pushes[0].Branch != "" {
		t.Fatalf("tag push: %+v, %v", ev, err)
	}
	body = strings.NewReplacer(`"deleted":false`, `"deleted":true`, `"after":"`+sha1, `"after":"`+zeroSHA).Replace(string(readPayload(t, "github-push.json")))
	ev, err = github{}.Parse("push", []byte(body))
	if err != nil || !ev.Pushes[0].Deleted {
		t.Fatalf("deleted branch: %+v, %v", ev, err)
	}
	body = strings.Replace(string(readPayload(t, "bitbucket-push.json")), `"new":{"type":"branch"`, `"new":null,"x":{"type":"branch"`, 1)
	ev, err = bitbucket{}.Parse("repo:push", []byte(body))
	if err != nil || len(ev.Pushes) != 1 || !ev.Pushes[0].Deleted || ev.Pushes[0].Branch != "main" {
		t.Fatalf("bitbucket deleted branch: %+v, %v", ev, err)
	}
}

// TestVerifySignatures signs each provider's way: the right secret
// verifies; a wrong one, a changed body and a missing header do not.
func TestVerifySignatures(t *testing.T) {
	secret, body := []byte("whsec_test"), []byte(`{"zen":"Keep it logically awesome."}`)
	sign := map[string]func(h http.Header, secret []byte){
		"github":    func(h http.Header, s []byte) { h.Set("X-Hub-Signature-256", "sha256="+Sign(s, body)) },
		"gitea":     func(h http.Header, s []byte) { h.Set("X-Gitea-Signature", Sign(s, body)) },
		"bitbucket": func(h http.Header, s []byte) { h.Set("X-Hub-Signature", "sha256="+Sign(s, body)) },
		"gitlab":    func(h http.Header, s []byte) { h.Set("X-Gitlab-Token", string(s)) },
	}
	for _, name := range Providers {
		p := ProviderOf(name)
		h := http.Header{}
		if err := p.Verify(h, body, secret); err != errNoSignature {
			t.Errorf("%s without a signature: %v", name, err)
		}
		sign[name](h, secret)
		if err := p.Verify(h, body, secret); err != nil {
			t.Errorf("%s signed with the secret: %v", name, err)
		}
		if err := p.Verify(h, body, []byte("whsec_other")); err != errBadSignature {
			t.Errorf("%s under another secret: %v", name, err)
		}
		if name != "gitlab" { // GitLab's token does not cover the body
			if err := p.Verify(h, append([]byte(" "), body...), secret); err != errBadSignature {
				t.Errorf("%s with a changed body: %v", name, err)
			}
		}
	}
	if err := (github{}).Verify(http.Header{"X-Hub-Signature-256": {"sha1=" + Sign(secret, body)}}, body, secret); err != errBadSignature {
		t.Errorf("github with another algorithm's prefix: %v", err)
	}
	if err := (github{}).Verify(http.Header{"X-Hub-Signature-256": {"sha256=zz"}}, body, secret); err != errBadSignature {
		t.Errorf("github with a signature that is not hex: %v", err)
	}
}

// FuzzParse: no payload makes a parser panic, and what parses names a
// known kind.
func FuzzParse(f *testing.F) {
	for _, p := range payloads {
		f.Add(p.provider, p.event, readPayload(f, p.file))
	}
	f.Add("github", "push", []byte(`{"repository":{},"ref":"refs/heads/x","after":"`+zeroSHA+`"}`))
	f.Add("bitbucket", "repo:push", []byte(`{"repository":{},"push":{"changes":[{"new":null,"old":null}]}}`))
	f.Add("gitlab", "Merge Request Hook", []byte(`{"project":{},"object_attributes":{"action":"update"}}`))
	f.Fuzz(func(t *testing.T, provider, event string, body []byte) {
		p := ProviderOf(provider)
		if p == nil {
			return
		}
		ev, err := p.Parse(event, body)
		if err != nil {
			return
		}
		switch ev.Kind {
		case KindPush, KindPullRequest, KindPing, KindOther:
		default:
			t.Fatalf("kind %q", ev.Kind)
		}
		if ev.Kind == KindPullRequest && ev.PullRequest == nil {
			t.Fatal("a pull request event without its pull request")
		}
	})
}
