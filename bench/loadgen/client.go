package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// client talks to the server with one shared keep-alive transport.
type client struct {
	c       config
	http    *http.Client
	token   string
	project string
}

func newClient(c config) *client {
	tr := &http.Transport{MaxIdleConns: c.concurrency * 2, MaxIdleConnsPerHost: c.concurrency * 2, IdleConnTimeout: time.Minute}
	return &client{c: c, http: &http.Client{Transport: tr, Timeout: c.timeout}}
}

func (cl *client) call(ctx context.Context, method, path, body string, out any) (int, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, cl.c.url+path, rd)
	if err != nil {
		return 0, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if cl.token != "" {
		req.Header.Set("Authorization", "Bearer "+cl.token)
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		return resp.StatusCode, json.NewDecoder(resp.Body).Decode(out)
	}
	_, err = io.Copy(io.Discard, resp.Body) // drain, so the connection is reused
	return resp.StatusCode, err
}

func (cl *client) login(ctx context.Context) error {
	body, _ := json.Marshal(map[string]string{"email": cl.c.email, "password": cl.c.password})
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	status, err := cl.call(ctx, "POST", "/api/v1/auth/login", string(body), &tr)
	if err != nil || status != 200 {
		return fmt.Errorf("login as %s: status %d: %v", cl.c.email, status, err)
	}
	cl.token = tr.AccessToken
	return nil
}

// seed creates projects loadgen-0..n-1; existing ones (409) are fine.
func (cl *client) seed(ctx context.Context, n int) error {
	for i := range n {
		body := fmt.Sprintf(`{"name":"Load test %d","slug":"loadgen-%d","repository":{"url":"https://github.com/example/app-%d"}}`, i, i, i)
		status, err := cl.call(ctx, "POST", "/api/v1/projects", body, nil)
		if err != nil || (status != 201 && status != 409) {
			return fmt.Errorf("seeding project %d: status %d: %v", i, status, err)
		}
	}
	return nil
}

// setupProject creates the project that {project} names, when the body uses it.
func (cl *client) setupProject(ctx context.Context) error {
	if !strings.Contains(cl.c.body, "{project}") {
		return nil
	}
	slug := "loadgen-run-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	var p struct {
		ID string `json:"id"`
	}
	status, err := cl.call(ctx, "POST", "/api/v1/projects", fmt.Sprintf(`{"name":%q,"slug":%q}`, slug, slug), &p)
	if err != nil || status != 201 {
		return fmt.Errorf("creating the setup project: status %d: %v", status, err)
	}
	cl.project = p.ID
	return nil
}

// load runs the measured phase.
func (cl *client) load(ctx context.Context) *results {
	ctx, cancel := context.WithTimeout(ctx, cl.c.duration)
	defer cancel()
	var (
		counter atomic.Int64
		wg      sync.WaitGroup
		parts   = make([]*results, cl.c.concurrency)
	)
	body := strings.ReplaceAll(cl.c.body, "{project}", cl.project)
	start := time.Now()
	for w := range cl.c.concurrency {
		parts[w] = newResults()
		wg.Add(1)
		go func(r *results) {
			defer wg.Done()
			for ctx.Err() == nil {
				n := counter.Add(1)
				if cl.c.requests > 0 && n > int64(cl.c.requests) {
					return
				}
				ns := strconv.FormatInt(n, 10)
				t0 := time.Now()
				status, err := cl.call(ctx, cl.c.method, strings.ReplaceAll(cl.c.path, "{n}", ns), strings.ReplaceAll(body, "{n}", ns), nil)
				if ctx.Err() != nil && err != nil {
					return // the run ended mid-request: not a sample
				}
				r.add(time.Since(t0), status, err)
			}
		}(parts[w])
	}
	wg.Wait()
	total := newResults()
	for _, p := range parts {
		total.merge(p)
	}
	total.elapsed = time.Since(start)
	return total
}
