package gitevents

import (
	"encoding/json"
	"fmt"
	"net/http"

	capsule "github.com/usecapsule/capsule"
)

// github reads GitHub deliveries: X-GitHub-Event, X-GitHub-Delivery and
// X-Hub-Signature-256 = "sha256=" + hex HMAC-SHA256 of the body.
type github struct{}

func (github) Name() string { return "github" }

func (github) Delivery(h http.Header) (string, string) {
	return h.Get("X-GitHub-Delivery"), h.Get("X-GitHub-Event")
}

func (github) Verify(h http.Header, body, secret []byte) error {
	return verifyHMAC(h.Get("X-Hub-Signature-256"), "sha256=", body, secret)
}

func (github) Events() []string { return []string{"push", "pull_request"} }

func (github) Parse(event string, body []byte) (*Event, error) {
	return parseGitHubShape(event, body, "synchronize")
}

// hubRepository is the repository object of GitHub's and Gitea's payloads.
type hubRepository struct {
	CloneURL string `json:"clone_url"`
	SSHURL   string `json:"ssh_url"`
	HTMLURL  string `json:"html_url"`
}

type hubCommit struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Author  struct {
		Name     string `json:"name"`
		Email    string `json:"email"`
		Username string `json:"username"`
	} `json:"author"`
}

func (c *hubCommit) commit(sha string) capsule.Commit {
	out := capsule.Commit{SHA: sha, Message: c.Message, Author: c.Author.Name}
	if out.Author == "" {
		out.Author = c.Author.Username
	}
	if c.Author.Email != "" && out.Author != "" {
		out.Author += " <" + c.Author.Email + ">"
	}
	return out
}

type hubPayload struct {
	Ref        string         `json:"ref"`
	After      string         `json:"after"`
	Deleted    bool           `json:"deleted"`
	HeadCommit *hubCommit     `json:"head_commit"`
	Repository *hubRepository `json:"repository"`
	Action     string         `json:"action"`
	Number     int            `json:"number"`
	PR         *struct {
		Number int    `json:"number"`
		Title  string `json:"title"`
		Merged bool   `json:"merged"`
		Head   struct {
			Ref string `json:"ref"`
			SHA string `json:"sha"`
		} `json:"head"`
		Base struct {
			Ref string `json:"ref"`
		} `json:"base"`
	} `json:"pull_request"`
}

// parseGitHubShape reads GitHub's payloads and Gitea's, which copy them;
// update names the action that means new head commits ("synchronize" on
// GitHub, "synchronized" on Gitea).
func parseGitHubShape(event string, body []byte, update string) (*Event, error) {
	var p hubPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("the body is not JSON: %v", err)
	}
	if p.Repository == nil {
		return nil, fmt.Errorf("the payload has no repository")
	}
	ev := &Event{Kind: KindOther, Repositories: nonEmpty(p.Repository.CloneURL, p.Repository.SSHURL, p.Repository.HTMLURL)}
	switch event {
	case "ping":
		ev.Kind = KindPing
	case "push":
		ev.Kind = KindPush
		if p.Ref == "" {
			return nil, fmt.Errorf("the push has no ref")
		}
		push := Push{Ref: p.Ref, Deleted: p.Deleted || p.After == zeroSHA}
		push.Branch, push.Tag = branchOf(p.Ref)
		if p.HeadCommit != nil {
			push.Commit = p.HeadCommit.commit(p.After)
		} else {
			push.Commit.SHA = p.After
		}
		ev.Pushes = []Push{push}
	case "pull_request":
		ev.Kind = KindPullRequest
		if p.PR == nil {
			return nil, fmt.Errorf("the pull_request event has no pull_request")
		}
		n := p.PR.Number
		if n == 0 {
			n = p.Number
		}
		pr := &PullRequest{Number: n, RawAction: p.Action, HeadBranch: p.PR.Head.Ref, BaseBranch: p.PR.Base.Ref,
			Merged: p.PR.Merged, Action: PROther}
		pr.Commit.SHA = p.PR.Head.SHA
		pr.Commit.Message = p.PR.Title
		switch p.Action {
		case "opened", "reopened":
			pr.Action = PROpen
		case update:
			pr.Action = PRUpdate
		case "closed":
			pr.Action = PRClose
		}
		ev.PullRequest = pr
	}
	return ev, nil
}
