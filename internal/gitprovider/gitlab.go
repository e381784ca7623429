package gitprovider

import (
	"context"
	"fmt"
	"strings"

	gitlab "gitlab.com/gitlab-org/api/client-go/v2"
)

// gitLab speaks GitLab's REST API v4 (gitlab.com or self-hosted) through
// the official client. Its own retries are off: WithBackoff waits out
// RateLimit-Reset and Retry-After for every provider alike.
type gitLab struct{ o Options }

func newGitLab(o Options) Provider { return gitLab{o} }

func (g gitLab) client(repo Repo) (*gitlab.Client, error) {
	c, err := gitlab.NewClient(g.o.Token, gitlab.WithBaseURL(repo.APIBase), gitlab.WithHTTPClient(g.o.Client), gitlab.WithoutRetries())
	if err != nil {
		return nil, fmt.Errorf("gitprovider: GitLab API base %s: %w", repo.APIBase, redact(err, g.o.Token))
	}
	return c, nil
}

func (g gitLab) fail(what string, repo Repo, err error) error {
	return fmt.Errorf("gitprovider: gitlab %s in %s: %w", what, repo.FullName(), redact(err, g.o.Token))
}

func (g gitLab) OpenOrUpdatePR(ctx context.Context, repo Repo, head, base, title, body string) (PR, error) {
	c, err := g.client(repo)
	if err != nil {
		return PR{}, err
	}
	pid := repo.FullName()
	open, _, err := c.MergeRequests.ListProjectMergeRequests(pid, &gitlab.ListProjectMergeRequestsOptions{
		State: gitlab.Ptr("opened"), SourceBranch: &head, TargetBranch: &base,
	}, gitlab.WithContext(ctx))
	if err != nil {
		return PR{}, g.fail("list merge requests", repo, err)
	}
	for _, m := range open {
		if m.SourceBranch != head {
			continue
		}
		if m.Title == title && m.Description == body {
			return PR{Repo: repo, Number: m.IID, URL: m.WebURL, State: gitLabState(m.State)}, nil
		}
		u, _, err := c.MergeRequests.UpdateMergeRequest(pid, m.IID, &gitlab.UpdateMergeRequestOptions{Title: &title, Description: &body}, gitlab.WithContext(ctx))
		if err != nil {
			return PR{}, g.fail("update merge request", repo, err)
		}
		return PR{Repo: repo, Number: u.IID, URL: u.WebURL, State: gitLabState(u.State)}, nil
	}
	m, _, err := c.MergeRequests.CreateMergeRequest(pid, &gitlab.CreateMergeRequestOptions{
		Title: &title, Description: &body, SourceBranch: &head, TargetBranch: &base,
	}, gitlab.WithContext(ctx))
	if err != nil {
		return PR{}, g.fail("create merge request", repo, err)
	}
	return PR{Repo: repo, Number: m.IID, URL: m.WebURL, State: gitLabState(m.State)}, nil
}

// gitLabState maps opened|merged|closed|locked.
func gitLabState(s string) string {
	switch s {
	case "merged":
		return StateMerged
	case "closed":
		return StateClosed
	}
	return StateOpen
}

func (g gitLab) UpsertComment(ctx context.Context, pr PR, marker, body string) error {
	c, err := g.client(pr.Repo)
	if err != nil {
		return err
	}
	pid, text := pr.Repo.FullName(), commentText(marker, body)
	opts := &gitlab.ListMergeRequestNotesOptions{ListOptions: gitlab.ListOptions{PerPage: 100}}
	for {
		notes, resp, err := c.Notes.ListMergeRequestNotes(pid, pr.Number, opts, gitlab.WithContext(ctx))
		if err != nil {
			return g.fail("list notes", pr.Repo, err)
		}
		for _, n := range notes {
			if n.System || !strings.Contains(n.Body, marker) {
				continue
			}
			if n.Body == text {
				return nil
			}
			if _, _, err := c.Notes.UpdateMergeRequestNote(pid, pr.Number, n.ID, &gitlab.UpdateMergeRequestNoteOptions{Body: &text}, gitlab.WithContext(ctx)); err != nil {
				return g.fail("edit note", pr.Repo, err)
			}
			return nil
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if _, _, err := c.Notes.CreateMergeRequestNote(pid, pr.Number, &gitlab.CreateMergeRequestNoteOptions{Body: &text}, gitlab.WithContext(ctx)); err != nil {
		return g.fail("create note", pr.Repo, err)
	}
	return nil
}

func (g gitLab) State(ctx context.Context, pr PR) (string, error) {
	c, err := g.client(pr.Repo)
	if err != nil {
		return "", err
	}
	m, _, err := c.MergeRequests.GetMergeRequest(pr.Repo.FullName(), pr.Number, nil, gitlab.WithContext(ctx))
	if err != nil {
		return "", g.fail("get merge request", pr.Repo, err)
	}
	return gitLabState(m.State), nil
}
