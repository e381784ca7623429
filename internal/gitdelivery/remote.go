package gitdelivery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/gitprovider"
)

// go-git keeps one transport per URL scheme for the whole process. Capsule
// installs, once, an HTTP transport that sends each request through the
// *http.Client carried by the request's context — the Deliverer's, which
// is the guarded egress client in production — so no Git request can
// leave by another way, and a request without one is refused.
var installOnce sync.Once

type clientKey struct{}

func installTransport() {
	installOnce.Do(func() {
		t := githttp.NewClient(&http.Client{Transport: viaContext{}})
		client.InstallProtocol("http", t)
		client.InstallProtocol("https", t)
	})
}

func withClient(ctx context.Context, c *http.Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

type viaContext struct{}

func (viaContext) RoundTrip(req *http.Request) (*http.Response, error) {
	c, _ := req.Context().Value(clientKey{}).(*http.Client)
	if c == nil {
		return nil, errors.New("gitdelivery: Git over HTTP outside a Deliverer is refused")
	}
	if c.Transport == nil {
		return gitprovider.NoTransport{}.RoundTrip(req)
	}
	return c.Transport.RoundTrip(req)
}

// basicUser is the user name each provider expects beside an access token.
var basicUser = map[string]string{
	"github":    "x-access-token",
	"gitlab":    "oauth2",
	"bitbucket": "x-token-auth",
	"git":       "git",
}

// remote is a checked Git remote.
type remote struct {
	url   string // without credentials
	local bool   // file:// or a path
	auth  transport.AuthMethod
	token string
}

// parseRemote checks a target's URL: https or http (the guarded client
// decides which hosts), or, when the Deliverer allows it, file:// and
// absolute paths. Credentials belong in GitTarget.Token, never the URL.
func (d *Deliverer) parseRemote(t GitTarget) (remote, error) {
	raw := strings.TrimSpace(t.URL)
	if raw == "" {
		return remote{}, errors.New("gitdelivery: target repository URL is empty")
	}
	r := remote{token: t.Token}
	if filepath.IsAbs(raw) || strings.HasPrefix(raw, "file://") {
		if !d.cfg.AllowLocal {
			return remote{}, fmt.Errorf("gitdelivery: repository %s: local repositories are not allowed on this server", clip(raw))
		}
		r.url, r.local = raw, true
		return r, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return remote{}, fmt.Errorf("gitdelivery: repository URL %q is not a URL", gitprovider.RedactURL(raw))
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		u.User = nil
		return remote{}, fmt.Errorf("gitdelivery: repository URL %s: scheme %q is not supported (want https)", clip(u.String()), u.Scheme)
	}
	if u.User != nil {
		u.User = nil
		return remote{}, fmt.Errorf("gitdelivery: repository URL %s carries credentials: give the token separately", clip(u.String()))
	}
	if u.Host == "" {
		return remote{}, fmt.Errorf("gitdelivery: repository URL %s has no host", clip(u.String()))
	}
	r.url = u.String()
	if t.Token != "" {
		user, ok := basicUser[t.Provider]
		if !ok {
			user = t.Token // Gitea accepts the token as the user name
		}
		r.auth = &githttp.BasicAuth{Username: user, Password: t.Token}
	}
	return r, nil
}

// fail builds an error naming the repository, the branch and the reason,
// with the token removed wherever a library repeated it.
func (r remote) fail(branch, what string, err error) error {
	msg := err.Error()
	if r.token != "" {
		msg = strings.ReplaceAll(msg, r.token, "***")
		msg = strings.ReplaceAll(msg, url.QueryEscape(r.token), "***")
	}
	return &Error{Repository: r.url, Branch: branch, Reason: what + ": " + msg, cause: causeOf(err)}
}

// causeOf keeps what callers may test with errors.Is or errors.As, and
// nothing whose text could hold the token.
func causeOf(err error) error {
	for _, known := range []error{context.Canceled, context.DeadlineExceeded,
		transport.ErrAuthenticationRequired, transport.ErrAuthorizationFailed, transport.ErrRepositoryNotFound} {
		if errors.Is(err, known) {
			return known
		}
	}
	if e, ok := egress.AsError(err); ok {
		return e
	}
	return nil
}

// Error is a delivery failure. Its message names the repository, the
// branch and the reason, and never the token.
type Error struct {
	Repository, Branch, Reason string
	cause                      error
}

func (e *Error) Error() string {
	return fmt.Sprintf("gitdelivery: repository %s, branch %s: %s", e.Repository, e.Branch, e.Reason)
}

// Unwrap gives a known cause (cancellation, authentication, an egress
// refusal), never the library's raw error, whose text may hold the token.
func (e *Error) Unwrap() error { return e.cause }

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
