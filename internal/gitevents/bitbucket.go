package gitevents

import (
	"encoding/json"
	"fmt"
	"net/http"

	capsule "github.com/usecapsule/capsule"
)

// bitbucket reads Bitbucket Cloud deliveries: X-Event-Key, X-Request-UUID
// (or X-Hook-UUID) and X-Hub-Signature = "sha256=" + hex HMAC-SHA256 of
// the body under the webhook's secret.
type bitbucket struct{}

func (bitbucket) Name() string { return "bitbucket" }

func (bitbucket) Delivery(h http.Header) (string, string) {
	return firstHeader(h, "X-Request-UUID", "X-Hook-UUID"), h.Get("X-Event-Key")
}

func (bitbucket) Verify(h http.Header, body, secret []byte) error {
	return verifyHMAC(h.Get("X-Hub-Signature"), "sha256=", body, secret)
}

func (bitbucket) Events() []string {
	return []string{"repo:push", "pullrequest:created", "pullrequest:updated", "pullrequest:fulfilled", "pullrequest:rejected"}
}

type bbCommit struct {
	Hash    string `json:"hash"`
	Message string `json:"message"`
	Author  struct {
		Raw  string `json:"raw"`
		User *struct {
			DisplayName string `json:"display_name"`
		} `json:"user"`
	} `json:"author"`
}

func (c *bbCommit) commit() capsule.Commit {
	out := capsule.Commit{SHA: c.Hash, Message: c.Message, Author: c.Author.Raw}
	if out.Author == "" && c.Author.User != nil {
		out.Author = c.Author.User.DisplayName
	}
	return out
}

type bbRef struct {
	Type   string   `json:"type"` // branch, tag, named_branch, bookmark
	Name   string   `json:"name"`
	Target bbCommit `json:"target"`
}

type bbPayload struct {
	Repository *struct {
		FullName string `json:"full_name"`
		Links    struct {
			HTML struct {
				Href string `json:"href"`
			} `json:"html"`
		} `json:"links"`
	} `json:"repository"`
	Push *struct {
		Changes []struct {
			New *bbRef `json:"new"`
			Old *bbRef `json:"old"`
		} `json:"changes"`
	} `json:"push"`
	PullRequest *struct {
		ID     int    `json:"id"`
		Title  string `json:"title"`
		State  string `json:"state"`
		Source struct {
			Branch struct {
				Name string `json:"name"`
			} `json:"branch"`
			Commit bbCommit `json:"commit"`
		} `json:"source"`
		Destination struct {
			Branch struct {
				Name string `json:"name"`
			} `json:"branch"`
		} `json:"destination"`
	} `json:"pullrequest"`
}

func (bitbucket) Parse(event string, body []byte) (*Event, error) {
	var p bbPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("the body is not JSON: %v", err)
	}
	if p.Repository == nil {
		return nil, fmt.Errorf("the payload has no repository")
	}
	var repos []string
	if p.Repository.FullName != "" {
		repos = append(repos, "https://bitbucket.org/"+p.Repository.FullName)
	}
	ev := &Event{Kind: KindOther, Repositories: append(nonEmpty(p.Repository.Links.HTML.Href), repos...)}
	switch event {
	case "repo:push":
		ev.Kind = KindPush
		if p.Push == nil {
			return nil, fmt.Errorf("the push has no changes")
		}
		for _, c := range p.Push.Changes {
			ref := c.New
			deleted := ref == nil
			if deleted {
				ref = c.Old
			}
			if ref == nil {
				continue
			}
			push := Push{Deleted: deleted, Commit: ref.Target.commit()}
			switch ref.Type {
			case "tag":
				push.Ref, push.Tag = "refs/tags/"+ref.Name, true
			default:
				push.Ref, push.Branch = "refs/heads/"+ref.Name, ref.Name
			}
			if deleted {
				push.Commit = capsule.Commit{}
			}
			ev.Pushes = append(ev.Pushes, push)
		}
	case "pullrequest:created", "pullrequest:updated", "pullrequest:fulfilled", "pullrequest:rejected":
		ev.Kind = KindPullRequest
		pr := p.PullRequest
		if pr == nil {
			return nil, fmt.Errorf("the %s event has no pullrequest", event)
		}
		out := &PullRequest{Number: pr.ID, RawAction: event, HeadBranch: pr.Source.Branch.Name,
			BaseBranch: pr.Destination.Branch.Name, Commit: pr.Source.Commit.commit()}
		out.Commit.Message = pr.Title
		switch event {
		case "pullrequest:created":
			out.Action = PROpen
		case "pullrequest:updated":
			out.Action = PRUpdate
		case "pullrequest:fulfilled":
			out.Action, out.Merged = PRClose, true
		case "pullrequest:rejected":
			out.Action = PRClose
		}
		ev.PullRequest = out
	}
	return ev, nil
}
