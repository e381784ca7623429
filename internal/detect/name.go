package detect

import "strings"

// dnsLabel sanitises s into an RFC 1123 label (lowercase alphanumerics and
// dashes, at most 63 characters, starting and ending alphanumeric), the
// form Kubernetes object names need.
func dnsLabel(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 63 {
		out = strings.TrimRight(out[:63], "-")
	}
	if out == "" {
		return "app"
	}
	return out
}
