package gitevents

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// RepositoryKey is the form in which a project's repository URL and a
// delivery's repository are compared: "host/owner/name", lower case, with
// no scheme, user, port, ".git" suffix or trailing slash. So
// https://GitHub.com/Acme/Shop.git, git@github.com:acme/shop and
// ssh://git@github.com:22/acme/shop/ are the same repository.
//
// The path is lowercased as well as the host: GitHub, Bitbucket and Gitea
// treat owner and repository names case-insensitively and GitLab redirects
// other cases to its own, so a project configured with another case than
// the provider sends still matches. A port is dropped because the same
// repository is cloned over SSH on one port and HTTPS on another.
func RepositoryKey(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fmt.Errorf("the repository URL is empty")
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("the repository URL is not valid UTF-8")
	}
	if len(s) > 2048 {
		return "", fmt.Errorf("the repository URL is %d characters long, more than 2048", len(s))
	}
	var host, path string
	if i := strings.Index(s, "://"); i > 0 {
		u, err := url.Parse(s)
		if err != nil {
			return "", fmt.Errorf("%q is not a URL: %v", clip(s), err)
		}
		switch strings.ToLower(u.Scheme) {
		case "http", "https", "ssh", "git", "git+ssh", "ssh+git":
		default:
			return "", fmt.Errorf("%q: scheme %q is not a Git transport (https, ssh or git)", clip(s), u.Scheme)
		}
		host, path = u.Hostname(), u.Path
	} else {
		// scp-like: [user@]host:path
		at := strings.IndexByte(s, '@')
		colon := strings.IndexByte(s, ':')
		if colon <= at+1 || colon == len(s)-1 {
			return "", fmt.Errorf("%q is neither a URL nor a scp-like Git address (user@host:path)", clip(s))
		}
		host, path = s[at+1:colon], s[colon+1:]
	}
	host = strings.ToLower(strings.TrimRight(host, "."))
	if host == "" || strings.ContainsAny(host, "/@ \t") {
		return "", fmt.Errorf("%q names no host", clip(s))
	}
	// Lower case first, so ".GIT" goes too; then every ".git" and "/" at
	// the end, so a key is its own key again.
	path = strings.Trim(strings.ToLower(path), "/")
	for strings.HasSuffix(path, ".git") {
		path = strings.Trim(strings.TrimSuffix(path, ".git"), "/")
	}
	if path == "" {
		return "", fmt.Errorf("%q names no repository path", clip(s))
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("%q has an empty, . or .. path segment", clip(s))
		}
	}
	key := host + "/" + path
	for _, c := range key {
		if c < 0x20 || c == 0x7f || c == ' ' || c == '#' || c == '?' || c == '%' || c == '\\' {
			return "", fmt.Errorf("%q has a space, control character, #, ?, %% or \\ in its host or path", clip(s))
		}
	}
	return key, nil
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
