package deployer

import (
	"fmt"
	"strings"
)

// parseImage checks an image reference against the grammar docker and
// containerd use (github.com/distribution/reference):
//
//	reference  := name [ ":" tag ] [ "@" digest ]
//	name       := [ domain "/" ] path ( "/" path )*
//	domain     := host [ ":" port ]   (the first part, when it has "." or
//	              ":", is "localhost", or has an uppercase letter)
//	path       := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//	tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//	digest     := "sha256:" 64 | "sha384:" 96 | "sha512:" 128 lowercase hex digits
//
// and, as Docker Hub names are normalized, a single-part name counts as
// "library/NAME" against the 255-character limit of the repository path.
//
// That library compiles its regular expressions when the binary starts,
// which costs every capsule command; this hand-written parser costs
// nothing until a deploy. FuzzParseImage checks that both agree.
func parseImage(ref string) error {
	if len(ref) == 64 && isHex(ref) {
		return fmt.Errorf("invalid repository name (%s), cannot specify 64-byte hexadecimal strings", ref)
	}
	name, digest, hasDigest := strings.Cut(ref, "@")
	if hasDigest {
		if err := checkDigest(digest); err != nil {
			return err
		}
	}
	// A tag follows the last ":" after the last "/" (before it, ":" is a
	// registry's port).
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		if err := checkTag(name[i+1:]); err != nil {
			return err
		}
		name = name[:i]
	}
	if name == "" {
		return fmt.Errorf("repository name must have at least one component")
	}
	parts := strings.Split(name, "/")
	first, hub := parts[0], true
	if len(parts) > 1 && (strings.ContainsAny(first, ".:") || first == "localhost" || first != strings.ToLower(first)) {
		hub = false
		if err := checkDomain(first); err == nil {
			hub = first == "docker.io" || first == "index.docker.io"
			parts = parts[1:]
		} else if !pathComponent(first) {
			// Not a registry, and not a path component either (the
			// grammar reads "ex_ample.com/web" as two path components).
			return err
		}
	}
	path := strings.Join(parts, "/")
	if hub && len(parts) == 1 {
		path = "library/" + path
	}
	if len(path) > 255 {
		return fmt.Errorf("repository name must not be more than 255 characters")
	}
	for _, p := range parts {
		if p != strings.ToLower(p) {
			return fmt.Errorf("repository name must be lowercase")
		}
		if !pathComponent(p) {
			return fmt.Errorf("invalid reference format: %q is not a path component (lowercase letters and digits, joined by '.', '_', '__' or dashes)", p)
		}
	}
	return nil
}

func isHex(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func lowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func alnum(c byte) bool { return lowerAlnum(c) || c >= 'A' && c <= 'Z' }

// pathComponent: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)*
func pathComponent(p string) bool {
	if p == "" || !lowerAlnum(p[0]) || !lowerAlnum(p[len(p)-1]) {
		return false
	}
	for i := 0; i < len(p); {
		if lowerAlnum(p[i]) {
			i++
			continue
		}
		j := i
		for j < len(p) && !lowerAlnum(p[j]) {
			j++
		}
		sep := p[i:j]
		if sep != "." && sep != "_" && sep != "__" && strings.Trim(sep, "-") != "" {
			return false
		}
		i = j
	}
	return true
}

func checkTag(tag string) error {
	ok := tag != "" && len(tag) <= 128 && (alnum(tag[0]) || tag[0] == '_')
	for i := 1; ok && i < len(tag); i++ {
		c := tag[i]
		ok = alnum(c) || c == '_' || c == '.' || c == '-'
	}
	if !ok {
		return fmt.Errorf("invalid reference format: tag %q (want letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-')", tag)
	}
	return nil
}

func checkDigest(d string) error {
	want := map[string]int{"sha256": 64, "sha384": 96, "sha512": 128}
	alg, enc, _ := strings.Cut(d, ":")
	if n, ok := want[alg]; !ok || len(enc) != n || !isHex(enc) {
		return fmt.Errorf("invalid reference format: digest %q (want sha256: and 64 lowercase hex digits, or sha384 or sha512)", d)
	}
	return nil
}

// checkDomain: a host name, an IPv4 address or a bracketed IPv6 address,
// with an optional port.
func checkDomain(d string) error {
	bad := fmt.Errorf("invalid reference format: registry %q is not a host name or address with an optional port", d)
	host, port := d, ""
	if strings.HasPrefix(d, "[") {
		end := strings.IndexByte(d, ']')
		if end < 0 || !ipv6(d[1:end]) {
			return bad
		}
		host, port = "", d[end+1:]
		if port != "" {
			if port[0] != ':' {
				return bad
			}
			port = port[1:]
			if port == "" {
				return bad
			}
		}
	} else if i := strings.IndexByte(d, ':'); i >= 0 {
		host, port = d[:i], d[i+1:]
		if port == "" {
			return bad
		}
	}
	for _, c := range []byte(port) {
		if c < '0' || c > '9' {
			return bad
		}
	}
	if host == "" {
		if strings.HasPrefix(d, "[") {
			return nil
		}
		return bad
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || !alnum(label[0]) || !alnum(label[len(label)-1]) {
			return bad
		}
		for _, c := range []byte(label) {
			if !alnum(c) && c != '-' {
				return bad
			}
		}
	}
	return nil
}

// ipv6 accepts what the reference grammar's IPv6 pattern does: hex groups
// and colons (the library does not check the address further).
func ipv6(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':') {
			return false
		}
	}
	return true
}
