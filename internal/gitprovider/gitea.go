package gitprovider

import (
	"context"
	"fmt"
	"strings"

	"code.gitea.io/sdk/gitea"
)

// giteaProvider speaks Gitea's (and Forgejo's) API v1 through the official
// SDK. The SDK keeps one context per client, so each call builds its own
// client; it is told not to ask for the server version first, which would
// be one more request per call.
type giteaProvider struct{ o Options }

func newGitea(o Options) Provider { return giteaProvider{o} }

func (g giteaProvider) client(ctx context.Context, repo Repo) (*gitea.Client, error) {
	root := strings.TrimSuffix(strings.TrimSuffix(repo.APIBase, "/"), "/api/v1")
	c, err := gitea.NewClient(root, gitea.SetHTTPClient(g.o.Client), gitea.SetToken(g.o.Token),
		gitea.SetGiteaVersion(""), gitea.SetContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("gitprovider: Gitea API base %s: %w", repo.APIBase, redact(err, g.o.Token))
	}
	return c, nil
}

func (g giteaProvider) fail(what string, repo Repo, err error) error {
	return fmt.Errorf("gitprovider: gitea %s in %s: %w", what, repo.FullName(), redact(err, g.o.Token))
}

func (g giteaProvider) OpenOrUpdatePR(ctx context.Context, repo Repo, head, base, title, body string) (PR, error) {
	c, err := g.client(ctx, repo)
	if err != nil {
		return PR{}, err
	}
	for page := 1; ; page++ {
		open, resp, err := c.ListRepoPullRequests(repo.Owner, repo.Name, gitea.ListPullRequestsOptions{
			ListOptions: gitea.ListOptions{Page: page, PageSize: 50}, State: gitea.StateOpen,
		})
		if err != nil {
			return PR{}, g.fail("list pull requests", repo, err)
		}
		for _, p := range open {
			if p.Head == nil || p.Base == nil || p.Head.Ref != head || p.Base.Ref != base {
				continue
			}
			if p.Title == title && p.Body == body {
				return g.pr(repo, p), nil
			}
			p, _, err = c.EditPullRequest(repo.Owner, repo.Name, p.Index, gitea.EditPullRequestOption{Title: title, Body: &body})
			if err != nil {
				return PR{}, g.fail("update pull request", repo, err)
			}
			return g.pr(repo, p), nil
		}
		if resp == nil || resp.NextPage == 0 || len(open) == 0 {
			break
		}
	}
	p, _, err := c.CreatePullRequest(repo.Owner, repo.Name, gitea.CreatePullRequestOption{
		Head: head, Base: base, Title: title, Body: body,
	})
	if err != nil {
		return PR{}, g.fail("create pull request", repo, err)
	}
	return g.pr(repo, p), nil
}

func (g giteaProvider) pr(repo Repo, p *gitea.PullRequest) PR {
	return PR{Repo: repo, Number: p.Index, URL: p.HTMLURL, State: giteaState(p)}
}

func giteaState(p *gitea.PullRequest) string {
	switch {
	case p.HasMerged:
		return StateMerged
	case p.State == gitea.StateClosed:
		return StateClosed
	}
	return StateOpen
}

func (g giteaProvider) UpsertComment(ctx context.Context, pr PR, marker, body string) error {
	c, err := g.client(ctx, pr.Repo)
	if err != nil {
		return err
	}
	text := commentText(marker, body)
	for page := 1; ; page++ {
		cs, resp, err := c.ListIssueComments(pr.Repo.Owner, pr.Repo.Name, pr.Number, gitea.ListIssueCommentOptions{
			ListOptions: gitea.ListOptions{Page: page, PageSize: 50},
		})
		if err != nil {
			return g.fail("list comments", pr.Repo, err)
		}
		for _, cm := range cs {
			if !strings.Contains(cm.Body, marker) {
				continue
			}
			if cm.Body == text {
				return nil
			}
			if _, _, err := c.EditIssueComment(pr.Repo.Owner, pr.Repo.Name, cm.ID, gitea.EditIssueCommentOption{Body: text}); err != nil {
				return g.fail("edit comment", pr.Repo, err)
			}
			return nil
		}
		if resp == nil || resp.NextPage == 0 || len(cs) == 0 {
			break
		}
	}
	if _, _, err := c.CreateIssueComment(pr.Repo.Owner, pr.Repo.Name, pr.Number, gitea.CreateIssueCommentOption{Body: text}); err != nil {
		return g.fail("create comment", pr.Repo, err)
	}
	return nil
}

func (g giteaProvider) State(ctx context.Context, pr PR) (string, error) {
	c, err := g.client(ctx, pr.Repo)
	if err != nil {
		return "", err
	}
	p, _, err := c.GetPullRequest(pr.Repo.Owner, pr.Repo.Name, pr.Number)
	if err != nil {
		return "", g.fail("get pull request", pr.Repo, err)
	}
	return giteaState(p), nil
}
