package gitprovider

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v75/github"
)

// gitHub speaks GitHub's REST API (and GitHub Enterprise Server's, under
// /api/v3/) through go-github.
type gitHub struct{ o Options }

func newGitHub(o Options) Provider { return gitHub{o} }

func (g gitHub) client(repo Repo) (*github.Client, error) {
	c := github.NewClient(g.o.Client).WithAuthToken(g.o.Token)
	if repo.APIBase == "https://api.github.com/" {
		return c, nil
	}
	c, err := c.WithEnterpriseURLs(repo.APIBase, repo.APIBase)
	if err != nil {
		return nil, fmt.Errorf("gitprovider: GitHub API base %s: %v", repo.APIBase, err)
	}
	return c, nil
}

func (g gitHub) fail(what string, repo Repo, err error) error {
	return fmt.Errorf("gitprovider: github %s in %s: %w", what, repo.FullName(), redact(err, g.o.Token))
}

func (g gitHub) OpenOrUpdatePR(ctx context.Context, repo Repo, head, base, title, body string) (PR, error) {
	c, err := g.client(repo)
	if err != nil {
		return PR{}, err
	}
	open, _, err := c.PullRequests.List(ctx, repo.Owner, repo.Name, &github.PullRequestListOptions{
		State: "open", Head: repo.Owner + ":" + head, Base: base,
	})
	if err != nil {
		return PR{}, g.fail("list pull requests", repo, err)
	}
	for _, p := range open {
		if p.GetHead().GetRef() != head {
			continue
		}
		if p.GetTitle() == title && p.GetBody() == body {
			return g.pr(repo, p), nil
		}
		p, _, err = c.PullRequests.Edit(ctx, repo.Owner, repo.Name, p.GetNumber(), &github.PullRequest{Title: &title, Body: &body})
		if err != nil {
			return PR{}, g.fail("update pull request", repo, err)
		}
		return g.pr(repo, p), nil
	}
	p, _, err := c.PullRequests.Create(ctx, repo.Owner, repo.Name, &github.NewPullRequest{
		Title: &title, Head: &head, Base: &base, Body: &body,
	})
	if err != nil {
		return PR{}, g.fail("create pull request", repo, err)
	}
	return g.pr(repo, p), nil
}

func (g gitHub) pr(repo Repo, p *github.PullRequest) PR {
	return PR{Repo: repo, Number: int64(p.GetNumber()), URL: p.GetHTMLURL(), State: gitHubState(p)}
}

func gitHubState(p *github.PullRequest) string {
	switch {
	case p.GetMerged() || p.MergedAt != nil:
		return StateMerged
	case p.GetState() == "closed":
		return StateClosed
	}
	return StateOpen
}

func (g gitHub) UpsertComment(ctx context.Context, pr PR, marker, body string) error {
	c, err := g.client(pr.Repo)
	if err != nil {
		return err
	}
	text := commentText(marker, body)
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		cs, resp, err := c.Issues.ListComments(ctx, pr.Repo.Owner, pr.Repo.Name, int(pr.Number), opts)
		if err != nil {
			return g.fail("list comments", pr.Repo, err)
		}
		for _, cm := range cs {
			if !strings.Contains(cm.GetBody(), marker) {
				continue
			}
			if cm.GetBody() == text {
				return nil
			}
			if _, _, err := c.Issues.EditComment(ctx, pr.Repo.Owner, pr.Repo.Name, cm.GetID(), &github.IssueComment{Body: &text}); err != nil {
				return g.fail("edit comment", pr.Repo, err)
			}
			return nil
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if _, _, err := c.Issues.CreateComment(ctx, pr.Repo.Owner, pr.Repo.Name, int(pr.Number), &github.IssueComment{Body: &text}); err != nil {
		return g.fail("create comment", pr.Repo, err)
	}
	return nil
}

func (g gitHub) State(ctx context.Context, pr PR) (string, error) {
	c, err := g.client(pr.Repo)
	if err != nil {
		return "", err
	}
	p, resp, err := c.PullRequests.Get(ctx, pr.Repo.Owner, pr.Repo.Name, int(pr.Number))
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusNotFound {
			return "", fmt.Errorf("gitprovider: github pull request %d not found in %s", pr.Number, pr.Repo.FullName())
		}
		return "", g.fail("get pull request", pr.Repo, err)
	}
	return gitHubState(p), nil
}
