package gitprovider

import (
	"strings"
	"testing"
)

func TestParseRepoURL(t *testing.T) {
	cases := []struct {
		provider, url, api string
		want               Repo
	}{
		{"github", "https://github.com/acme/app.git", "", Repo{Provider: "github", Web: "https://github.com", Owner: "acme", Name: "app", APIBase: "https://api.github.com/"}},
		{"github", "git@github.com:acme/app.git", "", Repo{Provider: "github", Web: "https://github.com", Owner: "acme", Name: "app", APIBase: "https://api.github.com/"}},
		{"github", "https://ghe.corp.example/acme/app", "", Repo{Provider: "github", Web: "https://ghe.corp.example", Owner: "acme", Name: "app", APIBase: "https://ghe.corp.example/api/v3/"}},
		{"gitlab", "https://gitlab.com/acme/platform/app.git", "", Repo{Provider: "gitlab", Web: "https://gitlab.com", Owner: "acme/platform", Name: "app", APIBase: "https://gitlab.com/api/v4/"}},
		{"gitlab", "https://code.example/acme/app.git", "https://gitlab-api.example/api/v4", Repo{Provider: "gitlab", Web: "https://code.example", Owner: "acme", Name: "app", APIBase: "https://gitlab-api.example/api/v4/"}},
		{"gitea", "https://git.example:3000/git/acme/app.git", "", Repo{Provider: "gitea", Web: "https://git.example:3000/git", Owner: "acme", Name: "app", APIBase: "https://git.example:3000/git/api/v1/"}},
		{"bitbucket", "https://x-token-auth:secret@bitbucket.org/ws/app.git", "", Repo{Provider: "bitbucket", Web: "https://bitbucket.org", Owner: "ws", Name: "app", APIBase: "https://api.bitbucket.org/2.0/"}},
	}
	for _, c := range cases {
		got, err := ParseRepoURL(c.provider, c.url, c.api)
		if err != nil || got != c.want {
			t.Errorf("ParseRepoURL(%s, %s) = %+v, %v; want %+v", c.provider, c.url, got, err, c.want)
		}
	}
}

func TestParseRepoURLErrors(t *testing.T) {
	cases := []struct{ provider, url, api, want string }{
		{"github", "", "", "is empty"},
		{"svn", "https://github.com/a/b", "", `unknown provider "svn"`},
		{"github", "https://github.com/onlyowner", "", "want a path owner/name"},
		{"github", "ftp://github.com/a/b", "", `scheme "ftp"`},
		{"github", "https://github.com/a/../b", "", "relative path segment"},
		{"github", "https://:tok3n@/a/b", "", "has no host"},
		{"github", "https://github.com/a/b", "file:///etc", "API base"},
		{"github", "github.com/a/b", "", "want https://host/owner/name"},
	}
	for _, c := range cases {
		_, err := ParseRepoURL(c.provider, c.url, c.api)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseRepoURL(%q, %q, %q) = %v, want an error with %q", c.provider, c.url, c.api, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "tok3n") {
			t.Errorf("error %q repeats the credential", err)
		}
	}
}

func TestParsePRURL(t *testing.T) {
	cases := []struct {
		provider, repo, pr string
		want               int64
	}{
		{"github", "https://github.com/acme/app.git", "https://github.com/acme/app/pull/12", 12},
		{"gitlab", "https://gitlab.com/acme/platform/app.git", "https://gitlab.com/acme/platform/app/-/merge_requests/3", 3},
		{"gitea", "https://git.example/git/acme/app.git", "https://git.example/git/acme/app/pulls/5", 5},
		{"bitbucket", "https://bitbucket.org/ws/app.git", "https://bitbucket.org/ws/app/pull-requests/9", 9},
	}
	for _, c := range cases {
		repo, err := ParseRepoURL(c.provider, c.repo, "")
		if err != nil {
			t.Fatal(err)
		}
		pr, err := ParsePRURL(repo, c.pr)
		if err != nil || pr.Number != c.want {
			t.Errorf("ParsePRURL(%s) = %+v, %v; want number %d", c.pr, pr, err, c.want)
		}
	}
	repo, _ := ParseRepoURL("github", "https://github.com/acme/app.git", "")
	for _, bad := range []string{"https://github.com/other/app/pull/1", "https://evil.example/acme/app/pull/1", "https://github.com/acme/app/pull/x", "https://github.com/acme/app/pull/0", "https://github.com/acme/app/issues/1", "not a url"} {
		if _, err := ParsePRURL(repo, bad); err == nil {
			t.Errorf("ParsePRURL(%q) accepted", bad)
		}
	}
}

// FuzzParseRepoURL: any input either parses into a repository whose parts
// are non-empty, credential-free and whose derived API root is a URL, or is
// refused with an error; it never panics.
func FuzzParseRepoURL(f *testing.F) {
	for _, s := range []string{"https://github.com/acme/app.git", "git@github.com:acme/app.git", "https://u:p@gitlab.com/a/b/c",
		"https://h/x/y/z/w", "ssh://git@h:22/a/b", "http://[::1]:80/a/b", "https://h//a/b", "git@:a/b", "https://h/a/b?x#y", "%zz"} {
		for _, p := range []string{"github", "gitlab", "gitea", "bitbucket", "git"} {
			f.Add(p, s)
		}
	}
	f.Fuzz(func(t *testing.T, provider, raw string) {
		r, err := ParseRepoURL(provider, raw, "")
		if err != nil {
			return
		}
		if r.Owner == "" || r.Name == "" || strings.Contains(r.Web, "@") {
			t.Fatalf("ParseRepoURL(%q, %q) = %+v", provider, raw, r)
		}
		if provider != "git" && !strings.HasPrefix(r.APIBase, "http") {
			t.Fatalf("API base %q", r.APIBase)
		}
		if pr, err := ParsePRURL(r, r.Web+"/"+r.Owner+"/"+r.Name+"/"+prSegment[provider]+"/7"); provider != "git" && provider != "gitlab" && (err != nil || pr.Number != 7) {
			t.Fatalf("the PR URL built from %+v does not parse back: %v", r, err)
		}
	})
}

// FuzzParsePRURL never panics and accepts only positive numbers.
func FuzzParsePRURL(f *testing.F) {
	repo, _ := ParseRepoURL("gitlab", "https://gitlab.com/acme/app.git", "")
	for _, s := range []string{"https://gitlab.com/acme/app/-/merge_requests/3", "https://gitlab.com/acme/app/merge_requests/-1", "https://gitlab.com/acme/app/-/merge_requests/99999999999999999999", "://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		pr, err := ParsePRURL(repo, raw)
		if err == nil && pr.Number <= 0 {
			t.Fatalf("ParsePRURL(%q) = %+v", raw, pr)
		}
	})
}
