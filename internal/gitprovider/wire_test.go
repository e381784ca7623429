package gitprovider

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/usecapsule/capsule/internal/egress"
)

// A wire file is one provider's conversation, recorded from its API
// documentation: each step is one call of the Provider interface with the
// exact requests it must send (method, escaped path, query, the headers
// listed, the JSON body) and the answers the provider gives. "{{base}}"
// stands for the test server's URL.
type wireFile struct {
	Provider string     `json:"provider"`
	Repo     string     `json:"repo"`
	Token    string     `json:"token"`
	Steps    []wireStep `json:"steps"`
}

type wireStep struct {
	Call  string `json:"call"` // open, comment, state
	Head  string `json:"head"`
	Base  string `json:"base"`
	Title string `json:"title"`
	Body  string `json:"body"`
	PR    int64  `json:"pr"`
	// status: the commit and the status set on it.
	SHA         string         `json:"sha"`
	State       string         `json:"state"`
	TargetURL   string         `json:"target_url"`
	Description string         `json:"description"`
	Context     string         `json:"context"`
	Want        map[string]any `json:"want"`
	Exchanges   []exchange     `json:"exchanges"`
}

type exchange struct {
	Request struct {
		Method  string            `json:"method"`
		Path    string            `json:"path"`
		Query   string            `json:"query"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"request"`
	Response struct {
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"response"`
}

// script serves the exchanges in order and fails the test on any request
// that is not the next one expected.
type script struct {
	t    *testing.T
	base string
	mu   sync.Mutex
	next []exchange
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := r.Method + " " + r.URL.EscapedPath() + "?" + r.URL.RawQuery
	if len(s.next) == 0 {
		s.t.Errorf("unexpected request %s", got)
		http.Error(w, "unexpected", http.StatusTeapot)
		return
	}
	x := s.next[0]
	s.next = s.next[1:]
	want := x.Request.Method + " " + x.Request.Path + "?" + x.Request.Query
	if got != want {
		s.t.Errorf("request %s, want %s", got, want)
	}
	for k, v := range x.Request.Headers {
		if r.Header.Get(k) != v {
			s.t.Errorf("%s: header %s = %q, want %q", want, k, r.Header.Get(k), v)
		}
	}
	body, _ := io.ReadAll(r.Body)
	if len(x.Request.Body) == 0 {
		if len(body) != 0 {
			s.t.Errorf("%s: unexpected body %s", want, body)
		}
	} else if !jsonEqual(body, x.Request.Body) {
		s.t.Errorf("%s: body %s, want %s", want, body, x.Request.Body)
	}
	for k, v := range x.Response.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(x.Response.Status)
	_, _ = w.Write([]byte(strings.ReplaceAll(string(x.Response.Body), "{{base}}", s.base)))
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func loopbackClient() *http.Client {
	return egress.New(egress.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
}

func TestWireFormats(t *testing.T) {
	files, err := filepath.Glob("testdata/wire/*.json")
	if err != nil || len(files) < 4 {
		t.Fatalf("wire files: %v, %v", files, err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var wf wireFile
			if err := json.Unmarshal(data, &wf); err != nil {
				t.Fatal(err)
			}
			s := &script{t: t}
			srv := httptest.NewServer(s)
			defer srv.Close()
			s.base = srv.URL
			repo, err := ParseRepoURL(wf.Provider, strings.ReplaceAll(wf.Repo, "{{base}}", srv.URL), "")
			if err != nil {
				t.Fatal(err)
			}
			p, err := New(wf.Provider, Options{Client: loopbackClient(), Token: wf.Token})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for i, st := range wf.Steps {
				s.mu.Lock()
				s.next = st.Exchanges
				s.mu.Unlock()
				got := map[string]any{}
				switch st.Call {
				case "open":
					pr, err := p.OpenOrUpdatePR(ctx, repo, st.Head, st.Base, st.Title, st.Body)
					if err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
					got = map[string]any{"number": float64(pr.Number), "url": pr.URL, "state": pr.State}
				case "comment":
					if err := p.UpsertComment(ctx, PR{Repo: repo, Number: st.PR}, Marker, st.Body); err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				case "status":
					err := p.(StatusSetter).SetStatus(ctx, repo, st.SHA, Status{State: st.State, TargetURL: st.TargetURL,
						Description: st.Description, Context: st.Context})
					if err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				case "state":
					state, err := p.State(ctx, PR{Repo: repo, Number: st.PR})
					if err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
					got = map[string]any{"state": state}
				default:
					t.Fatalf("step %d: unknown call %q", i, st.Call)
				}
				for k, v := range st.Want {
					if s, ok := v.(string); ok {
						v = strings.ReplaceAll(s, "{{base}}", srv.URL)
					}
					if !reflect.DeepEqual(got[k], v) {
						t.Errorf("step %d (%s): %s = %v, want %v", i, st.Call, k, got[k], v)
					}
				}
				s.mu.Lock()
				if len(s.next) > 0 {
					t.Errorf("step %d (%s): %d requests never sent, first %s %s", i, st.Call, len(s.next), s.next[0].Request.Method, s.next[0].Request.Path)
				}
				s.mu.Unlock()
			}
		})
	}
}
