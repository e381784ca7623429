package gitprovider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// bitbucket speaks Bitbucket Cloud's REST API 2.0 with net/http: no
// maintained Go client for it is published on the module proxy. Tokens are
// repository, project or workspace access tokens, sent as Bearer.
type bitbucket struct{ o Options }

func newBitbucket(o Options) Provider { return bitbucket{o} }

type bbPR struct {
	ID          int64  `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	State       string `json:"state"`
	Source      bbRef  `json:"source"`
	Destination bbRef  `json:"destination"`
	Links       struct {
		HTML struct {
			Href string `json:"href"`
		} `json:"html"`
	} `json:"links"`
}

type bbRef struct {
	Branch struct {
		Name string `json:"name"`
	} `json:"branch"`
}

type bbComment struct {
	ID      int64 `json:"id"`
	Content struct {
		Raw string `json:"raw"`
	} `json:"content"`
	Deleted bool `json:"deleted"`
}

type bbPage[T any] struct {
	Values []T    `json:"values"`
	Next   string `json:"next"`
}

func (b bitbucket) repoURL(repo Repo, rest string) string {
	return repo.APIBase + "repositories/" + url.PathEscape(repo.Owner) + "/" + url.PathEscape(repo.Name) + "/" + rest
}

// do sends one request; a non-2xx answer is an error naming the method,
// the path and the status, never the response body.
func (b bitbucket) do(ctx context.Context, method, u string, in, out any) error {
	var body io.Reader
	if in != nil {
		buf, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("gitprovider: bitbucket request %s: %v", clip(u), err)
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if b.o.Token != "" {
		req.Header.Set("Authorization", "Bearer "+b.o.Token)
	}
	resp, err := b.o.Client.Do(req)
	if err != nil {
		return redact(err, b.o.Token)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode/100 != 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return fmt.Errorf("%s %s: status %d", method, req.URL.Path, resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: reading the answer: %v", method, req.URL.Path, err)
	}
	return nil
}

func (b bitbucket) fail(what string, repo Repo, err error) error {
	return fmt.Errorf("gitprovider: bitbucket %s in %s: %w", what, repo.FullName(), err)
}

// bbQuote quotes a value for Bitbucket's query language.
func bbQuote(s string) string { return strconv.Quote(s) }

func (b bitbucket) OpenOrUpdatePR(ctx context.Context, repo Repo, head, base, title, body string) (PR, error) {
	q := url.Values{"q": {"source.branch.name=" + bbQuote(head) + " AND destination.branch.name=" + bbQuote(base) + ` AND state="OPEN"`}}
	var page bbPage[bbPR]
	if err := b.do(ctx, http.MethodGet, b.repoURL(repo, "pullrequests?"+q.Encode()), nil, &page); err != nil {
		return PR{}, b.fail("list pull requests", repo, err)
	}
	fields := map[string]any{"title": title, "description": body}
	for _, p := range page.Values {
		if p.Source.Branch.Name != head {
			continue
		}
		if p.Title == title && p.Description == body {
			return b.pr(repo, p), nil
		}
		var u bbPR
		if err := b.do(ctx, http.MethodPut, b.repoURL(repo, "pullrequests/"+strconv.FormatInt(p.ID, 10)), fields, &u); err != nil {
			return PR{}, b.fail("update pull request", repo, err)
		}
		return b.pr(repo, u), nil
	}
	fields["source"] = map[string]any{"branch": map[string]string{"name": head}}
	fields["destination"] = map[string]any{"branch": map[string]string{"name": base}}
	fields["close_source_branch"] = true
	var p bbPR
	if err := b.do(ctx, http.MethodPost, b.repoURL(repo, "pullrequests"), fields, &p); err != nil {
		return PR{}, b.fail("create pull request", repo, err)
	}
	return b.pr(repo, p), nil
}

func (b bitbucket) pr(repo Repo, p bbPR) PR {
	return PR{Repo: repo, Number: p.ID, URL: p.Links.HTML.Href, State: bbState(p.State)}
}

// bbState maps OPEN|MERGED|DECLINED|SUPERSEDED.
func bbState(s string) string {
	switch s {
	case "MERGED":
		return StateMerged
	case "DECLINED", "SUPERSEDED":
		return StateClosed
	}
	return StateOpen
}

func (b bitbucket) UpsertComment(ctx context.Context, pr PR, marker, body string) error {
	text := commentText(marker, body)
	base := b.repoURL(pr.Repo, "pullrequests/"+strconv.FormatInt(pr.Number, 10)+"/comments")
	next := base + "?pagelen=100"
	for pages := 0; next != "" && pages < 100; pages++ {
		if !strings.HasPrefix(next, pr.Repo.APIBase) {
			return b.fail("list comments", pr.Repo, fmt.Errorf("next page %s is outside the API", clip(next)))
		}
		var page bbPage[bbComment]
		if err := b.do(ctx, http.MethodGet, next, nil, &page); err != nil {
			return b.fail("list comments", pr.Repo, err)
		}
		for _, c := range page.Values {
			if c.Deleted || !strings.Contains(c.Content.Raw, marker) {
				continue
			}
			if c.Content.Raw == text {
				return nil
			}
			in := map[string]any{"content": map[string]string{"raw": text}}
			if err := b.do(ctx, http.MethodPut, base+"/"+strconv.FormatInt(c.ID, 10), in, nil); err != nil {
				return b.fail("edit comment", pr.Repo, err)
			}
			return nil
		}
		next = page.Next
	}
	in := map[string]any{"content": map[string]string{"raw": text}}
	if err := b.do(ctx, http.MethodPost, base, in, nil); err != nil {
		return b.fail("create comment", pr.Repo, err)
	}
	return nil
}

func (b bitbucket) State(ctx context.Context, pr PR) (string, error) {
	var p bbPR
	if err := b.do(ctx, http.MethodGet, b.repoURL(pr.Repo, "pullrequests/"+strconv.FormatInt(pr.Number, 10)), nil, &p); err != nil {
		return "", b.fail("get pull request", pr.Repo, err)
	}
	return bbState(p.State), nil
}
