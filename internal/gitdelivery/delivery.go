// Package gitdelivery delivers a promotion to a GitOps environment as a Git
// commit on its own branch and a pull request carrying the preview, and
// reads an environment's desired state back from Git.
//
// Git is go-git, in memory: the target branch is cloned, the rendered
// files are laid out under the target path (see applyLayout), committed
// with trailers that name the promotion and its approvers, and pushed to
// capsule/promotion-<id> over smart HTTP with the token. Pull requests and
// the preview comment go through internal/gitprovider. Every HTTP request,
// Git's included, goes through the *http.Client of the Config.
package gitdelivery

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/gitprovider"
)

// GitTarget is where an environment's desired state lives.
type GitTarget struct {
	URL, Branch, Path string
	// Provider is github, gitlab, bitbucket, gitea, or git: a plain remote
	// with a branch and no pull request.
	Provider string
	Token    string
}

// GitDelivery is one approved promotion to deliver.
type GitDelivery struct {
	PromotionID string
	Target      GitTarget
	// Files are the rendered manifests, by path relative to Target.Path.
	Files map[string][]byte
	// Title is the pull request's title and the commit's subject; Body is
	// the preview as Markdown, kept as one comment on the pull request.
	Title, Body string
	// Approvers are "Name <email>" or an email, one Approved-by trailer each.
	Approvers []string
	// BaseCommit, when set, is the commit of Target.Branch the files were
	// rendered and previewed against (ReadPath's commit). If the branch
	// has moved since, the delivery is rebased when no file it writes was
	// changed upstream, and reported as conflicting otherwise.
	BaseCommit string
}

// GitResult is what a delivery did.
type GitResult struct {
	Branch, Commit, PRURL string
	// PRState is open, merged or closed, or pushed for a plain remote.
	PRState string
	// Conflicts names the files changed both by the delivery and upstream
	// or by a person on the promotion's branch; nothing was pushed.
	Conflicts []string
}

// Config builds a Deliverer.
type Config struct {
	// Client makes every HTTP request (Git and provider APIs); in
	// production the guarded egress client, with a body limit large
	// enough for the repositories' packs. Nil is the guarded client with
	// its defaults; a client without a transport is refused, never given
	// http.DefaultTransport.
	Client *http.Client
	// AuthorName and AuthorEmail sign the commits (default Capsule,
	// capsule@localhost).
	AuthorName, AuthorEmail string
	// Now is the commit clock (default time.Now).
	Now func() time.Time
	// AllowLocal lets file:// URLs and absolute paths be targets. It is off
	// by default: on a shared server a path reaches the server's own disk.
	AllowLocal bool
	// PerHost bounds concurrent deliveries to one host (default 4).
	PerHost int
	// APIBases maps a repository host to its provider API root when it is
	// not the one derived from the URL.
	APIBases map[string]string
	// MaxRateLimitWait bounds how long one API request waits out rate
	// limits (gitprovider.DefaultMaxWait when zero).
	MaxRateLimitWait time.Duration
}

// Deliverer delivers promotions. It is safe for concurrent use.
type Deliverer struct {
	cfg Config
	api *http.Client // cfg.Client with rate-limit back-off, for provider APIs

	mu    sync.Mutex
	hosts map[string]chan struct{}
}

// New returns a Deliverer.
func New(cfg Config) *Deliverer {
	installTransport()
	if cfg.Client == nil {
		cfg.Client = egress.New(egress.Options{})
	}
	if cfg.AuthorName == "" {
		cfg.AuthorName = "Capsule"
	}
	if cfg.AuthorEmail == "" {
		cfg.AuthorEmail = "capsule@localhost"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.PerHost <= 0 {
		cfg.PerHost = 4
	}
	return &Deliverer{cfg: cfg, api: gitprovider.WithBackoff(cfg.Client, cfg.MaxRateLimitWait), hosts: map[string]chan struct{}{}}
}

// BranchPrefix starts every promotion branch.
const BranchPrefix = "capsule/promotion-"

// validID is [A-Za-z0-9][A-Za-z0-9._-]{0,127}, checked by hand rather than
// with a regexp compiled at start-up.
func validID(id string) bool {
	if id == "" || len(id) > 128 || id[0] == '.' || id[0] == '_' || id[0] == '-' {
		return false
	}
	for _, c := range []byte(id) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

// acquire bounds concurrent deliveries per host; the returned func releases.
func (d *Deliverer) acquire(ctx context.Context, host string) (func(), error) {
	d.mu.Lock()
	sem, ok := d.hosts[host]
	if !ok {
		sem = make(chan struct{}, d.cfg.PerHost)
		d.hosts[host] = sem
	}
	d.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// hostOf is the concurrency key of a target: its host, or "local".
func hostOf(rawURL string) string {
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		return u.Host
	}
	return "local"
}

// check validates a delivery before anything is fetched.
func (req GitDelivery) check() error {
	if !validID(req.PromotionID) {
		return fmt.Errorf("gitdelivery: promotion id %q: want letters, digits, '.', '_' or '-' (at most 128)", clip(req.PromotionID))
	}
	if err := checkTarget(req.Target); err != nil {
		return err
	}
	if len(req.Files) == 0 {
		return fmt.Errorf("gitdelivery: promotion %s has no files to deliver", req.PromotionID)
	}
	for name := range req.Files {
		if err := checkName(name); err != nil {
			return fmt.Errorf("gitdelivery: promotion %s: file name %q %v", req.PromotionID, clip(name), err)
		}
	}
	for _, a := range req.Approvers {
		if strings.TrimSpace(a) == "" || strings.ContainsAny(a, "\r\n\x00") {
			return fmt.Errorf("gitdelivery: promotion %s: approver %q is empty or spans lines", req.PromotionID, clip(a))
		}
	}
	return nil
}

func checkTarget(t GitTarget) error {
	if !gitprovider.Known(t.Provider) {
		return fmt.Errorf("gitdelivery: target %s: unknown provider %q (want one of %s)", gitprovider.RedactURL(t.URL), clip(t.Provider), strings.Join(gitprovider.Names(), ", "))
	}
	if t.Branch == "" || strings.HasPrefix(t.Branch, "-") || strings.ContainsAny(t.Branch, " ~^:?*[\\\x00\n") || strings.Contains(t.Branch, "..") {
		return fmt.Errorf("gitdelivery: target %s: branch %q is not a valid branch name", gitprovider.RedactURL(t.URL), clip(t.Branch))
	}
	if p := t.Path; p != "" && p != "." {
		if err := checkName(strings.TrimSuffix(p, "/")); err != nil {
			return fmt.Errorf("gitdelivery: target %s: path %q %v", gitprovider.RedactURL(t.URL), clip(p), err)
		}
	}
	return nil
}

// cleanPath is the target path as a repository path ("" is the root).
func cleanPath(p string) string {
	p = path.Clean("/" + p)
	return strings.TrimPrefix(p, "/")
}

// commitMessage is the subject and the trailers, in the format git
// interpret-trailers reads: one block of "Key: value" lines after a blank
// line at the end of the message.
func commitMessage(req GitDelivery) string {
	subject := strings.Join(strings.Fields(req.Title), " ")
	if subject == "" {
		subject = "Promotion " + req.PromotionID
	}
	var b strings.Builder
	b.WriteString(subject)
	b.WriteString("\n\nCapsule-Promotion-Id: ")
	b.WriteString(req.PromotionID)
	b.WriteString("\n")
	for _, a := range req.Approvers {
		b.WriteString("Approved-by: ")
		b.WriteString(strings.TrimSpace(a))
		b.WriteString("\n")
	}
	return b.String()
}

// prBody describes the promotion; the preview goes to its own comment,
// which a re-preview edits in place.
func prBody(req GitDelivery) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Promotion `%s`, delivered by Capsule.\n", req.PromotionID)
	if len(req.Approvers) > 0 {
		b.WriteString("\nApproved by:\n")
		for _, a := range req.Approvers {
			fmt.Fprintf(&b, "- %s\n", strings.TrimSpace(a))
		}
	}
	return b.String()
}
