package httpapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/usecapsule/capsule"
)

// FieldChange is one difference between two JSON documents. Path is an RFC
// 6901 JSON pointer; From is absent for an added field, To for a removed one.
type FieldChange struct {
	Path string `json:"path"`
	Op   string `json:"op"` // add|remove|replace
	From any    `json:"from,omitempty"`
	To   any    `json:"to,omitempty"`
}

// diffRevisions compares the versioned parts of two revisions (type, source,
// configuration); number, author and time always differ and are left out.
func diffRevisions(a, b *capsule.ServiceRevision) ([]FieldChange, error) {
	type versioned struct {
		Type   string                `json:"type"`
		Source capsule.ServiceSource `json:"source"`
		Config capsule.ServiceConfig `json:"configuration"`
	}
	x, err := toGeneric(versioned{a.Type, a.Source, a.Config})
	if err != nil {
		return nil, err
	}
	y, err := toGeneric(versioned{b.Type, b.Source, b.Config})
	if err != nil {
		return nil, err
	}
	changes := []FieldChange{}
	diffValues("", x, y, &changes)
	return changes, nil
}

func toGeneric(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding revision: %w", err)
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}

// diffValues appends the changes from x to y under path. Objects are compared
// key by key in sorted order and arrays index by index, so the output is
// deterministic; anything else is compared as a whole.
func diffValues(path string, x, y any, out *[]FieldChange) {
	xm, xok := x.(map[string]any)
	ym, yok := y.(map[string]any)
	if xok && yok {
		keys := map[string]bool{}
		for k := range xm {
			keys[k] = true
		}
		for k := range ym {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			xv, inX := xm[k]
			yv, inY := ym[k]
			p := path + "/" + escapePointer(k)
			switch {
			case !inX:
				*out = append(*out, FieldChange{Path: p, Op: "add", To: yv})
			case !inY:
				*out = append(*out, FieldChange{Path: p, Op: "remove", From: xv})
			default:
				diffValues(p, xv, yv, out)
			}
		}
		return
	}
	xa, xok := x.([]any)
	ya, yok := y.([]any)
	if xok && yok {
		for i := 0; i < max(len(xa), len(ya)); i++ {
			p := fmt.Sprintf("%s/%d", path, i)
			switch {
			case i >= len(xa):
				*out = append(*out, FieldChange{Path: p, Op: "add", To: ya[i]})
			case i >= len(ya):
				*out = append(*out, FieldChange{Path: p, Op: "remove", From: xa[i]})
			default:
				diffValues(p, xa[i], ya[i], out)
			}
		}
		return
	}
	if !reflect.DeepEqual(x, y) {
		*out = append(*out, FieldChange{Path: path, Op: "replace", From: x, To: y})
	}
}

// escapePointer escapes a key for a JSON pointer (RFC 6901 section 3).
func escapePointer(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}
