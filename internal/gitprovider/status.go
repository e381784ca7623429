package gitprovider

import (
	"context"
	"net/http"
	"net/url"

	"code.gitea.io/sdk/gitea"
	"github.com/google/go-github/v75/github"
	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// Commit status states, as SetStatus takes them; each provider's own names
// are mapped from these.
const (
	StatusPending = "pending"
	StatusSuccess = "success"
	StatusFailure = "failure"
)

// Status is one commit status: State (StatusPending, StatusSuccess or
// StatusFailure), the page it links to, a one-line description, and the
// name (context) by which a later status of the same check replaces it.
type Status struct {
	State, TargetURL, Description, Context string
}

// StatusSetter is implemented by every provider: it sets a commit status
// on sha (GitHub, Gitea: POST repos/{o}/{r}/statuses/{sha}; GitLab: POST
// projects/{id}/statuses/{sha}; Bitbucket: POST repositories/{w}/{r}/commit/
// {sha}/statuses/build). A plain Git remote has none and does nothing.
type StatusSetter interface {
	SetStatus(ctx context.Context, repo Repo, sha string, s Status) error
}

var (
	_ StatusSetter = gitHub{}
	_ StatusSetter = gitLab{}
	_ StatusSetter = giteaProvider{}
	_ StatusSetter = bitbucket{}
	_ StatusSetter = plain{}
)

func (g gitHub) SetStatus(ctx context.Context, repo Repo, sha string, s Status) error {
	c, err := g.client(repo)
	if err != nil {
		return err
	}
	_, _, err = c.Repositories.CreateStatus(ctx, repo.Owner, repo.Name, sha, &github.RepoStatus{State: &s.State,
		TargetURL: optional(s.TargetURL), Description: optional(s.Description), Context: optional(s.Context)})
	if err != nil {
		return g.fail("set commit status", repo, err)
	}
	return nil
}

func (g gitLab) SetStatus(ctx context.Context, repo Repo, sha string, s Status) error {
	c, err := g.client(repo)
	if err != nil {
		return err
	}
	state := gitlab.BuildStateValue(s.State)
	if s.State == StatusFailure {
		state = gitlab.Failed
	}
	_, _, err = c.Commits.SetCommitStatus(repo.FullName(), sha, &gitlab.SetCommitStatusOptions{State: state,
		Name: optional(s.Context), TargetURL: optional(s.TargetURL), Description: optional(s.Description)}, gitlab.WithContext(ctx))
	if err != nil {
		return g.fail("set commit status", repo, err)
	}
	return nil
}

func (g giteaProvider) SetStatus(ctx context.Context, repo Repo, sha string, s Status) error {
	c, err := g.client(ctx, repo)
	if err != nil {
		return err
	}
	_, _, err = c.CreateStatus(repo.Owner, repo.Name, sha, gitea.CreateStatusOption{State: gitea.StatusState(s.State),
		TargetURL: s.TargetURL, Description: s.Description, Context: s.Context})
	if err != nil {
		return g.fail("set commit status", repo, err)
	}
	return nil
}

// bbStatus is Bitbucket Cloud's build status.
type bbStatus struct {
	Key         string `json:"key"`
	State       string `json:"state"`
	Name        string `json:"name,omitempty"`
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

func (b bitbucket) SetStatus(ctx context.Context, repo Repo, sha string, s Status) error {
	state := map[string]string{StatusPending: "INPROGRESS", StatusSuccess: "SUCCESSFUL", StatusFailure: "FAILED"}[s.State]
	in := bbStatus{Key: s.Context, State: state, Name: s.Context, URL: s.TargetURL, Description: s.Description}
	if err := b.do(ctx, http.MethodPost, b.repoURL(repo, "commit/"+url.PathEscape(sha)+"/statuses/build"), in, nil); err != nil {
		return b.fail("set commit status", repo, err)
	}
	return nil
}

func (plain) SetStatus(context.Context, Repo, string, Status) error { return nil }

// optional is nil for "", so an empty field is left out of the request.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
