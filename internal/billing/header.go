package billing

import (
	"strings"
)

// A header is the column names of a file, looked up by name: exactly first,
// then ignoring case (Azure exports change the case of their columns
// between schema versions).
type header struct {
	names []string
	exact map[string]int
	fold  map[string]int
}

func newHeader(names []string) *header {
	h := &header{names: names, exact: make(map[string]int, len(names)), fold: make(map[string]int, len(names))}
	for i, n := range names {
		if _, dup := h.exact[n]; !dup {
			h.exact[n] = i
		}
		if _, dup := h.fold[strings.ToLower(n)]; !dup {
			h.fold[strings.ToLower(n)] = i
		}
	}
	return h
}

// col is the index of the first of names present, or -1.
func (h *header) col(names ...string) int {
	for _, n := range names {
		if i, ok := h.exact[n]; ok {
			return i
		}
	}
	for _, n := range names {
		if i, ok := h.fold[strings.ToLower(n)]; ok {
			return i
		}
	}
	return -1
}

// has reports whether every one of names is a column.
func (h *header) has(names ...string) bool {
	for _, n := range names {
		if h.col(n) < 0 {
			return false
		}
	}
	return true
}

// field is fields[i], or "" for an absent column or a short row.
func field(fields []string, i int) string {
	if i < 0 || i >= len(fields) {
		return ""
	}
	return fields[i]
}
