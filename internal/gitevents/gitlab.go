package gitevents

import (
	"encoding/json"
	"fmt"
	"net/http"

	capsule "github.com/usecapsule/capsule"
)

// gitlab reads GitLab deliveries: X-Gitlab-Event, X-Gitlab-Event-UUID
// (or Idempotency-Key) and X-Gitlab-Token, which is the secret itself.
type gitlab struct{}

func (gitlab) Name() string { return "gitlab" }

func (gitlab) Delivery(h http.Header) (string, string) {
	return firstHeader(h, "X-Gitlab-Event-UUID", "Idempotency-Key"), h.Get("X-Gitlab-Event")
}

func (gitlab) Verify(h http.Header, _, secret []byte) error {
	return verifyToken(h.Get("X-Gitlab-Token"), secret)
}

func (gitlab) Events() []string { return []string{"Push Hook", "Merge Request Hook"} }

type labProject struct {
	HTTPURL string `json:"git_http_url"`
	SSHURL  string `json:"git_ssh_url"`
	WebURL  string `json:"web_url"`
}

type labCommit struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Author  struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"author"`
}

func (c *labCommit) commit() capsule.Commit {
	out := capsule.Commit{SHA: c.ID, Message: c.Message, Author: c.Author.Name}
	if c.Author.Email != "" && out.Author != "" {
		out.Author += " <" + c.Author.Email + ">"
	}
	return out
}

type labPayload struct {
	ObjectKind string      `json:"object_kind"`
	Ref        string      `json:"ref"`
	After      string      `json:"after"`
	Project    *labProject `json:"project"`
	Commits    []labCommit `json:"commits"`
	Attrs      *struct {
		IID          int        `json:"iid"`
		Action       string     `json:"action"`
		Title        string     `json:"title"`
		SourceBranch string     `json:"source_branch"`
		TargetBranch string     `json:"target_branch"`
		OldRev       string     `json:"oldrev"`
		LastCommit   *labCommit `json:"last_commit"`
	} `json:"object_attributes"`
}

func (gitlab) Parse(event string, body []byte) (*Event, error) {
	var p labPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("the body is not JSON: %v", err)
	}
	if p.Project == nil {
		return nil, fmt.Errorf("the payload has no project")
	}
	ev := &Event{Kind: KindOther, Repositories: nonEmpty(p.Project.HTTPURL, p.Project.SSHURL, p.Project.WebURL)}
	switch {
	case event == "Push Hook" || event == "Tag Push Hook" || p.ObjectKind == "push" || p.ObjectKind == "tag_push":
		ev.Kind = KindPush
		if p.Ref == "" {
			return nil, fmt.Errorf("the push has no ref")
		}
		push := Push{Ref: p.Ref, Deleted: p.After == zeroSHA}
		push.Branch, push.Tag = branchOf(p.Ref)
		push.Commit.SHA = p.After
		// The head commit is the one whose id is after (commits are
		// listed oldest first, at most 20 of them).
		for i := range p.Commits {
			if p.Commits[i].ID == p.After {
				push.Commit = p.Commits[i].commit()
			}
		}
		ev.Pushes = []Push{push}
	case event == "Merge Request Hook" || p.ObjectKind == "merge_request":
		ev.Kind = KindPullRequest
		a := p.Attrs
		if a == nil || a.LastCommit == nil {
			return nil, fmt.Errorf("the merge request event has no object_attributes.last_commit")
		}
		pr := &PullRequest{Number: a.IID, RawAction: a.Action, HeadBranch: a.SourceBranch, BaseBranch: a.TargetBranch,
			Commit: a.LastCommit.commit(), Action: PROther}
		switch a.Action {
		case "open", "reopen":
			pr.Action = PROpen
		case "update":
			// An update without oldrev changed the title, labels or
			// assignees, not the code.
			if a.OldRev != "" {
				pr.Action = PRUpdate
			}
		case "close":
			pr.Action = PRClose
		case "merge":
			pr.Action, pr.Merged = PRClose, true
		}
		ev.PullRequest = pr
	}
	return ev, nil
}
