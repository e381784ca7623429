package gitprovider

import (
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// Repo is a repository on a provider, with the API it is reached through.
type Repo struct {
	Provider string
	// Web is scheme://host[:port][/prefix] of the web UI and Git remote.
	Web string
	// Owner is the owner, GitLab group path (with subgroups) or Bitbucket
	// workspace; Name is the repository.
	Owner, Name string
	// APIBase is the REST API root, ending in a slash.
	APIBase string
}

// FullName is owner/name.
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// ParseRepoURL reads a repository's remote URL (https://host/owner/name.git,
// GitLab's host/group/subgroup/name, scp-style git@host:owner/name.git) and
// derives its API root unless apiBase is given (GitHub Enterprise, a
// self-hosted GitLab or Gitea behind another address). Credentials in the
// URL are dropped: tokens travel separately.
func ParseRepoURL(provider, raw, apiBase string) (Repo, error) {
	if _, ok := constructors[provider]; !ok {
		return Repo{}, fmt.Errorf("gitprovider: unknown provider %q (want one of %s)", provider, strings.Join(Names(), ", "))
	}
	u, err := parseRemote(raw)
	if err != nil {
		return Repo{}, err
	}
	p := strings.Trim(strings.TrimSuffix(strings.TrimRight(u.Path, "/"), ".git"), "/")
	parts := strings.Split(p, "/")
	if len(parts) < 2 || parts[0] == "" || parts[len(parts)-1] == "" {
		return Repo{}, fmt.Errorf("gitprovider: repository URL %s: want a path owner/name", safeURL(u))
	}
	for _, s := range parts {
		if s == "" || s == "." || s == ".." {
			return Repo{}, fmt.Errorf("gitprovider: repository URL %s: empty or relative path segment", safeURL(u))
		}
		if strings.ContainsAny(s, "@:") {
			return Repo{}, fmt.Errorf("gitprovider: repository URL %s: path segment %q holds '@' or ':', which no provider allows in names", safeURL(u), clip(s))
		}
	}
	r := Repo{Provider: provider, Web: u.Scheme + "://" + u.Host}
	switch {
	case provider == "gitlab" || provider == "git":
		r.Owner, r.Name = strings.Join(parts[:len(parts)-1], "/"), parts[len(parts)-1]
	case len(parts) == 2:
		r.Owner, r.Name = parts[0], parts[1]
	default:
		// A GitHub Enterprise, Gitea or other server under a path prefix:
		// the last two segments are owner/name.
		r.Web += "/" + strings.Join(parts[:len(parts)-2], "/")
		r.Owner, r.Name = parts[len(parts)-2], parts[len(parts)-1]
	}
	if apiBase != "" {
		b, err := url.Parse(apiBase)
		if err != nil || (b.Scheme != "https" && b.Scheme != "http") || b.Host == "" || b.User != nil {
			return Repo{}, fmt.Errorf("gitprovider: API base %q: want an http(s) URL without credentials", clip(apiBase))
		}
		r.APIBase = strings.TrimRight(b.String(), "/") + "/"
		return r, nil
	}
	r.APIBase = defaultAPIBase(provider, u.Host, r.Web)
	return r, nil
}

// defaultAPIBase is where each provider serves its REST API.
func defaultAPIBase(provider, host, web string) string {
	switch provider {
	case "github":
		if host == "github.com" {
			return "https://api.github.com/"
		}
		return web + "/api/v3/"
	case "gitlab":
		return web + "/api/v4/"
	case "gitea":
		return web + "/api/v1/"
	case "bitbucket":
		if host == "bitbucket.org" {
			return "https://api.bitbucket.org/2.0/"
		}
		return web + "/2.0/"
	}
	return ""
}

// parseRemote accepts URLs and scp-style addresses.
func parseRemote(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("gitprovider: repository URL is empty")
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return nil, fmt.Errorf("gitprovider: repository URL %q contains white space", clip(raw))
	}
	if !strings.Contains(raw, "://") {
		// git@host:owner/name.git
		at, colon := strings.Index(raw, "@"), strings.Index(raw, ":")
		if colon <= 0 || at >= colon || strings.Contains(raw[:colon], "/") {
			return nil, fmt.Errorf("gitprovider: repository URL %q: want https://host/owner/name or user@host:owner/name", clip(raw))
		}
		raw = "ssh://" + raw[:colon] + "/" + raw[colon+1:]
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("gitprovider: repository URL %q is not a URL", clip(stripUser(raw)))
	}
	switch u.Scheme {
	case "https", "http", "ssh":
	default:
		return nil, fmt.Errorf("gitprovider: repository URL %s: scheme %q has no provider API (want https, http or ssh)", safeURL(u), u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("gitprovider: repository URL %s has no host", safeURL(u))
	}
	if u.Scheme == "ssh" {
		u.Scheme = "https" // the API of an ssh remote is on the same host over HTTPS
		u.Host = u.Hostname()
	}
	u.User = nil
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// prSegment is the path segment before a pull request's number in its web URL.
var prSegment = map[string]string{
	"github": "pull", "gitea": "pulls", "bitbucket": "pull-requests", "gitlab": "merge_requests",
}

// ParsePRURL reads a pull request's web URL (as OpenOrUpdatePR returned
// it) for repo and returns the PR with its number.
func ParsePRURL(repo Repo, raw string) (PR, error) {
	seg, ok := prSegment[repo.Provider]
	if !ok {
		return PR{}, fmt.Errorf("gitprovider: provider %q has no pull requests", repo.Provider)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return PR{}, fmt.Errorf("gitprovider: pull request URL %q is not a URL", clip(stripUser(raw)))
	}
	web, err := url.Parse(repo.Web)
	if err != nil {
		return PR{}, fmt.Errorf("gitprovider: repository address %q is not a URL", clip(repo.Web))
	}
	p := path.Clean("/" + u.Path)
	prefix := path.Join("/", web.Path, repo.Owner, repo.Name)
	rest, ok := strings.CutPrefix(p, prefix+"/")
	if !ok || !strings.EqualFold(web.Host, u.Host) {
		return PR{}, fmt.Errorf("gitprovider: pull request URL %s is not in repository %s/%s", safeURL(u), repo.Web, repo.FullName())
	}
	rest = strings.TrimPrefix(rest, "-/") // GitLab's /-/merge_requests/N
	s, num, ok := strings.Cut(rest, "/")
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || s != seg || err != nil || n <= 0 {
		return PR{}, fmt.Errorf("gitprovider: pull request URL %s: want .../%s/<number>", safeURL(u), seg)
	}
	return PR{Repo: repo, Number: n, URL: u.String()}, nil
}

// safeURL prints a URL without its credentials.
func safeURL(u *url.URL) string {
	c := *u
	c.User = nil
	return clip(c.String())
}

// RedactURL prints a repository URL, parsable or not, without what stands
// between :// and @ (a user or token), clipped for error messages.
func RedactURL(raw string) string { return clip(stripUser(raw)) }

// stripUser drops anything between :// and @ from an unparsable URL.
func stripUser(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		if j := strings.LastIndex(raw[i+3:], "@"); j >= 0 {
			return raw[:i+3] + raw[i+3+j+1:]
		}
	}
	return raw
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
