// Package gitprovider opens pull requests, keeps Capsule's preview comment
// on them and follows their state, on GitHub, GitLab, Gitea, Bitbucket
// Cloud, or none at all for a plain Git remote.
//
// Every request goes through the *http.Client the caller gives (the guarded
// egress client in production), wrapped by WithBackoff so that rate limits
// are waited out rather than reported as failures. A provider is one file
// implementing Provider and one line in the constructors table.
package gitprovider

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Marker is the hidden HTML comment by which Capsule finds its own preview
// comment on a pull request, so a re-preview edits it in place.
const Marker = "<!-- capsule-preview -->"

// PR states reported by State and OpenOrUpdatePR.
const (
	StateOpen   = "open"
	StateMerged = "merged"
	StateClosed = "closed"
	// StatePushed is a plain Git remote's: the branch was pushed and there
	// is no pull request to follow.
	StatePushed = "pushed"
)

// PR is one pull (merge) request.
type PR struct {
	Repo   Repo
	Number int64
	URL    string
	State  string
}

// Provider is one Git hosting service's pull-request API.
type Provider interface {
	// OpenOrUpdatePR returns the open pull request from head into base,
	// created if there is none, its title and body set to the given ones.
	OpenOrUpdatePR(ctx context.Context, repo Repo, head, base, title, body string) (PR, error)
	// UpsertComment edits the comment containing marker, or creates one;
	// the comment's text is marker followed by body.
	UpsertComment(ctx context.Context, pr PR, marker, body string) error
	// State is open, merged or closed (pushed for a plain remote).
	State(ctx context.Context, pr PR) (string, error)
}

// Options are what every provider is built from.
type Options struct {
	// Client makes every request; it is wrapped by WithBackoff.
	Client *http.Client
	// Token authenticates to the API; it never appears in an error.
	Token string
}

// constructors is the registry of providers by name.
var constructors = map[string]func(Options) Provider{
	"github":    newGitHub,
	"gitlab":    newGitLab,
	"gitea":     newGitea,
	"bitbucket": newBitbucket,
	"git":       func(Options) Provider { return plain{} },
}

// Names lists the known providers, sorted.
func Names() []string {
	out := make([]string, 0, len(constructors))
	for n := range constructors {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Known reports whether name is a provider.
func Known(name string) bool {
	_, ok := constructors[name]
	return ok
}

// New returns the named provider. The client must already be wrapped by
// WithBackoff when several providers should share one rate-limit state;
// otherwise New wraps it.
func New(name string, o Options) (Provider, error) {
	c, ok := constructors[name]
	if !ok {
		return nil, fmt.Errorf("gitprovider: unknown provider %q (want one of %s)", name, strings.Join(Names(), ", "))
	}
	if o.Client == nil {
		return nil, fmt.Errorf("gitprovider: provider %s needs an HTTP client", name)
	}
	if _, wrapped := o.Client.Transport.(*backoff); !wrapped {
		o.Client = WithBackoff(o.Client, 0)
	}
	return c(o), nil
}

// commentText is the full text of Capsule's comment.
func commentText(marker, body string) string { return marker + "\n" + body }

// redact removes the token from an error's message: SDK errors can repeat
// request details, and a token must never reach a log.
func redact(err error, token string) error {
	if err == nil || token == "" || !strings.Contains(err.Error(), token) {
		return err
	}
	return redacted(strings.ReplaceAll(err.Error(), token, "***"))
}

type redacted string

func (r redacted) Error() string { return string(r) }

// plain is a Git remote without pull requests: delivery is the push.
type plain struct{}

func (plain) OpenOrUpdatePR(_ context.Context, repo Repo, head, _, _, _ string) (PR, error) {
	return PR{Repo: repo, State: StatePushed}, nil
}
func (plain) UpsertComment(context.Context, PR, string, string) error { return nil }
func (plain) State(context.Context, PR) (string, error)               { return StatePushed, nil }
