package capsule

import (
	"context"
	"encoding/json"
	"net/url"
	"time"
)

// Bounds of a project's free-form settings. Settings are stored, cached,
// audited and returned on every read of the project, so one client must not
// be able to grow them without limit; these leave room for any real use.
const (
	MaxSettingsBytes = 64 << 10 // encoded as JSON
	MaxSettingsKeys  = 256      // keys of all nested objects together
)

// Project groups the services and environments of one application or team.
type Project struct {
	ID             string         `json:"id"`
	OrganizationID string         `json:"organizationId"`
	Name           string         `json:"name"`
	Slug           string         `json:"slug"`
	Repository     Repository     `json:"repository"`
	Settings       map[string]any `json:"settings"`
	Version        int64          `json:"version"`
	CreatedAt      time.Time      `json:"createdAt"`
	UpdatedAt      time.Time      `json:"updatedAt"`
}

// Repository is a project's Git repository. Access tokens live in the secret
// store, never here.
type Repository struct {
	Provider string `json:"provider,omitempty"` // github|gitlab|bitbucket|gitea|git
	URL      string `json:"url,omitempty"`
	Branch   string `json:"branch,omitempty"`
}

// Validate checks the project's fields and fills defaults.
func (p *Project) Validate() error {
	var v Validation
	if p.OrganizationID == "" {
		v.Add("organizationId", "is required")
	}
	v.checkName("name", p.Name)
	v.checkDNSLabel("slug", p.Slug)
	if p.Repository.URL != "" {
		if p.Repository.Branch == "" {
			p.Repository.Branch = "main"
		}
		if u, err := url.Parse(p.Repository.URL); err != nil || (u.Scheme == "" && u.Host == "") {
			// scp-like Git URLs (git@host:path) are valid too.
			if !scpLikeGitURL(p.Repository.URL) {
				v.Add("repository.url", "%q is not a Git URL", p.Repository.URL)
			}
		}
		if p.Repository.Provider != "" {
			v.checkOneOf("repository.provider", p.Repository.Provider, "github", "gitlab", "bitbucket", "gitea", "git")
		}
	}
	if p.Settings == nil {
		p.Settings = map[string]any{}
	}
	checkSettings(&v, p.Settings)
	return v.Err()
}

// checkSettings bounds free-form settings by their encoded size and their
// number of keys at every depth.
func checkSettings(v *Validation, settings map[string]any) {
	if n := countKeys(settings); n > MaxSettingsKeys {
		v.Add("settings", "has %d keys (counting nested objects), more than %d", n, MaxSettingsKeys)
		return
	}
	b, err := json.Marshal(settings)
	switch {
	case err != nil:
		v.Add("settings", "cannot be encoded as JSON: %v", err)
	case len(b) > MaxSettingsBytes:
		v.Add("settings", "is %d bytes as JSON, more than %d", len(b), MaxSettingsBytes)
	}
}

func countKeys(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		n += len(v)
		for _, x := range v {
			n += countKeys(x)
		}
	case []any:
		for _, x := range v {
			n += countKeys(x)
		}
	}
	return n
}

func scpLikeGitURL(s string) bool {
	at, colon := -1, -1
	for i, c := range s {
		if c == '@' && at < 0 {
			at = i
		}
		if c == ':' && colon < 0 {
			colon = i
		}
	}
	return at > 0 && colon > at+1 && colon < len(s)-1
}

// ProjectFilter selects projects.
type ProjectFilter struct {
	OrganizationID string
	// OrganizationIDs, when not nil, restricts results to these organizations
	// (the caller's memberships).
	OrganizationIDs []string
	Slug            string
	Page
}

// ProjectStore persists projects.
type ProjectStore interface {
	FindProject(ctx context.Context, id string) (*Project, error)
	ListProjects(ctx context.Context, f ProjectFilter) (List[Project], error)
	CreateProject(ctx context.Context, p *Project) error
	UpdateProject(ctx context.Context, p *Project) error
	// DeleteProject removes the project with its environments, services,
	// revisions and deployments in one transaction.
	DeleteProject(ctx context.Context, id string) error
}
