package explain

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// masker replaces resource names and namespaces with placeholders (R1,
// NS1, ...) and restores them.
type masker struct {
	toPlaceholder map[string]string // name → placeholder
	toName        map[string]string // placeholder → name
	pattern       *regexp.Regexp    // matches any known name as a whole word
}

// nameChars are the characters of a Kubernetes name, so "api" does not
// match inside "api-gateway".
const nameChars = `a-zA-Z0-9_.-`

func newMasker(f Facts) *masker {
	m := &masker{toPlaceholder: map[string]string{}, toName: map[string]string{}}
	var names []string
	add := func(name, prefix string, n *int) {
		if name == "" || m.toPlaceholder[name] != "" {
			return
		}
		*n++
		p := prefix + strconv.Itoa(*n)
		m.toPlaceholder[name], m.toName[p] = p, name
		names = append(names, name)
	}
	var r, ns int
	for _, key := range resourceKeys(f) {
		add(nameOf(key), "R", &r)
	}
	for _, n := range f.Namespaces {
		add(n, "NS", &ns)
	}
	// Longest first, so "api-gateway" wins over "api".
	sort.Slice(names, func(i, j int) bool {
		return len(names[i]) > len(names[j]) || len(names[i]) == len(names[j]) && names[i] < names[j]
	})
	if len(names) > 0 {
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = regexp.QuoteMeta(n)
		}
		m.pattern = regexp.MustCompile(`(^|[^` + nameChars + `])(` + strings.Join(quoted, "|") + `)([^` + nameChars + `]|$)`)
	}
	return m
}

func resourceKeys(f Facts) []string {
	var out []string
	out = append(out, f.Added...)
	out = append(out, f.Removed...)
	out = append(out, f.Modified...)
	for _, d := range f.Drivers {
		out = append(out, d.Resource)
	}
	for _, r := range f.Risks {
		out = append(out, r.Resource)
	}
	return out
}

// nameOf returns the name of "Kind/name" (or the string itself).
func nameOf(key string) string {
	if i := strings.LastIndex(key, "/"); i >= 0 {
		return key[i+1:]
	}
	return key
}

// mask replaces every known name in s by its placeholder.
func (m *masker) mask(s string) string {
	if m.pattern == nil {
		return s
	}
	// The pattern consumes the boundary characters, so apply it until no
	// adjacent matches are left ("a,a").
	for {
		next := m.pattern.ReplaceAllStringFunc(s, func(match string) string {
			sub := m.pattern.FindStringSubmatch(match)
			return sub[1] + m.toPlaceholder[sub[2]] + sub[3]
		})
		if next == s {
			return s
		}
		s = next
	}
}

var placeholderRE = regexp.MustCompile(`\b(R|NS)[0-9]+\b`)

// unknownPlaceholder returns the first placeholder in s that was not given.
func (m *masker) unknownPlaceholder(s string) string {
	for _, p := range placeholderRE.FindAllString(s, -1) {
		if m.toName[p] == "" {
			return p
		}
	}
	return ""
}

// restore replaces placeholders by the names they stand for.
func (m *masker) restore(s string) string {
	return placeholderRE.ReplaceAllStringFunc(s, func(p string) string {
		if n := m.toName[p]; n != "" {
			return n
		}
		return p
	})
}
