package gitevents

import (
	"strings"
	"testing"
)

func TestRepositoryKey(t *testing.T) {
	same := []string{
		"https://github.com/acme/shop", "https://GitHub.com/Acme/Shop.git", "http://github.com/acme/shop/",
		"git@github.com:acme/shop.git", "git@github.com:Acme/Shop", "ssh://git@github.com/acme/shop.git",
		"ssh://git@github.com:22/acme/shop", "git://github.com/acme/shop.git", "https://user:token@github.com/acme/shop.git",
		"  https://github.com/acme/shop.git  ", "https://github.com./acme/shop",
	}
	for _, u := range same {
		k, err := RepositoryKey(u)
		if err != nil || k != "github.com/acme/shop" {
			t.Errorf("RepositoryKey(%q) = %q, %v; want github.com/acme/shop", u, k, err)
		}
	}
	if k, _ := RepositoryKey("https://gitlab.com/group/sub/project.git"); k != "gitlab.com/group/sub/project" {
		t.Errorf("nested group: %q", k)
	}
	if a, _ := RepositoryKey("https://github.com/acme/shop"); a == mustKey(t, "https://github.com/acme/shop-api") {
		t.Error("different repositories share a key")
	}
	for _, bad := range []string{"", "shop", "https://github.com", "https://github.com/.git", "ftp://github.com/acme/shop",
		"file:///srv/git/shop", "git@github.com:", "https://github.com/acme/../shop", "https://github.com/a//b",
		"https://github.com/acme/sh op", "https://" + strings.Repeat("a", 3000)} {
		if k, err := RepositoryKey(bad); err == nil {
			t.Errorf("RepositoryKey(%q) = %q, want an error", bad, k)
		}
	}
}

func mustKey(t *testing.T, u string) string {
	t.Helper()
	k, err := RepositoryKey(u)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// FuzzRepositoryKey: a key is lower case, has a host and a path, and is
// its own key again in every form (https, ssh, scp-like).
func FuzzRepositoryKey(f *testing.F) {
	for _, s := range []string{"https://github.com/acme/shop.git", "git@gitlab.com:g/s/p.git", "ssh://git@host:2222/x/y",
		"https://bitbucket.org/acme/shop/", "git@:x", "a@b:c", "https://h/%zz", "HTTPS://H/A.git.git"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := RepositoryKey(s)
		if err != nil {
			return
		}
		host, path, ok := strings.Cut(k, "/")
		if !ok || host == "" || path == "" || k != strings.ToLower(k) {
			t.Fatalf("RepositoryKey(%q) = %q", s, k)
		}
		for _, form := range []string{"https://" + k, "https://" + k + ".git", "ssh://git@" + k, "git@" + host + ":" + path} {
			if k2, err := RepositoryKey(form); err == nil && k2 != k {
				t.Fatalf("RepositoryKey(%q) = %q, but %q gives %q", s, k, form, k2)
			}
		}
	})
}

func TestTag(t *testing.T) {
	for _, c := range []struct{ tmpl, want string }{
		{"", sha1}, {"{short_sha}", sha1[:7]}, {"{branch}-{short_sha}", "feature-gift-cards-" + sha1[:7]},
	} {
		got, err := Tag(c.tmpl, sha1, "feature/gift-cards")
		if err != nil || got != c.want {
			t.Errorf("Tag(%q) = %q, %v; want %q", c.tmpl, got, err, c.want)
		}
	}
	if _, err := Tag("-{sha}", sha1, "main"); err == nil || !strings.Contains(err.Error(), "-{sha}") {
		t.Errorf("a tag starting with - : %v", err)
	}
	for in, want := range map[string]string{
		"ghcr.io/acme/web:1.0":             "ghcr.io/acme/web:abc",
		"ghcr.io/acme/web":                 "ghcr.io/acme/web:abc",
		"localhost:5000/web":               "localhost:5000/web:abc",
		"localhost:5000/web:2@sha256:0000": "localhost:5000/web:abc",
		"nginx":                            "nginx:abc",
	} {
		if got := WithTag(in, "abc"); got != want {
			t.Errorf("WithTag(%q) = %q, want %q", in, got, want)
		}
	}
}
