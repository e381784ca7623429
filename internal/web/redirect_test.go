package web

import (
	"net/url"
	"strings"
	"testing"
)

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/projects?x=1":                 "/projects?x=1",
		"/":                             "/",
		"":                              "/",
		"//evil.example":                "/",
		"/\\evil.example":               "/",
		"https://evil.example/":         "/",
		"javascript:alert(1)":           "/",
		"evil.example":                  "/",
		"/a\r\nLocation: http://x":      "/",
		"/%2F%2Fevil.example":           "/%2F%2Fevil.example",
		"/" + strings.Repeat("a", 3000): "/",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzLocalPath: whatever comes in, what goes out is a path on this
// server, which a browser resolves to this origin.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "//x", "/\\x", "http://x", "/a?b#c", "/\t/x", "\\\\x", "/%09/x"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://capsule.example/here")
	f.Fuzz(func(t *testing.T, in string) {
		out := localPath(in)
		if out != "/" && out != in {
			t.Fatalf("localPath(%q) = %q: neither the input nor /", in, out)
		}
		u, err := base.Parse(out)
		if err != nil || u.Host != "capsule.example" || u.Scheme != "https" {
			t.Fatalf("localPath(%q) = %q resolves to %v (%v)", in, out, u, err)
		}
	})
}
