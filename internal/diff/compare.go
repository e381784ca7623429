package diff

import (
	"sort"
	"strings"

	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/quantity"
)

// walker collects the changes between two normalized values.
type walker struct {
	resource   string
	defA, defB *defaulted
	changes    []Change
}

func (w *walker) emit(path string, op Op, from, to any) {
	if path == "" {
		path = "/"
	}
	w.changes = append(w.changes, Change{Resource: w.resource, Path: path, From: display(from), To: display(to), Op: op})
}

// value compares a and b found at path; key is the last path segment, which
// tells whether the values are quantities.
func (w *walker) value(path, key string, a, b any) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		w.maps(path, key, am, bm)
		return
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok {
		w.lists(path, key, al, bl)
		return
	}
	if !scalarEqual(a, b, key) {
		w.emit(path, OpChanged, a, b)
	}
}

func (w *walker) maps(path, parentKey string, a, b map[string]any) {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	quantities := quantityMaps[parentKey]
	for _, k := range keys {
		av, aok := a[k]
		bv, bok := b[k]
		if aok && bok && (!quantities || !isScalar(av) || !isScalar(bv)) && equalValue(av, bv, k) {
			continue // the common case: an unchanged subtree, checked without allocating
		}
		p := path + "/" + escape(k)
		filledA, filledB := false, false
		if !aok {
			av, aok = w.defA.fill(p, bv)
			filledA = aok
		}
		if !bok {
			bv, bok = w.defB.fill(p, av)
			filledB = bok
		}
		before := len(w.changes)
		switch {
		case !aok:
			w.emit(p, OpAdded, nil, bv)
		case !bok:
			w.emit(p, OpRemoved, av, nil)
		case quantities && isScalar(av) && isScalar(bv):
			if !scalarEqual(av, bv, "quantity") {
				w.emit(p, OpChanged, av, bv)
			}
		case filledA || filledB || !equalValue(av, bv, k):
			w.value(p, k, av, bv)
		}
		w.materialize(a, b, k, av, bv, filledA, filledB, before)
	}
}

// materialize writes defaults that took part in a change into the
// normalized objects, so renderers show both sides of the change. Values
// adopted from the other side (a server-allocated nodePort, an injected
// caBundle, a claim's default storage class or bound volume) are written even without a change, so the unified diff does not
// show them as removed.
func (w *walker) materialize(a, b map[string]any, k string, av, bv any, filledA, filledB bool, before int) {
	if len(w.changes) == before && !adopted[k] {
		return
	}
	if filledA {
		a[k] = av
	}
	if filledB {
		b[k] = bv
	}
}

// adopted are the fields a missing side takes from the other side.
var adopted = map[string]bool{"nodePort": true, "caBundle": true, "storageClassName": true, "volumeName": true}

// equalValue reports whether two normalized values are equal, by the same
// rules as the walker, when no defaults need filling in; key is the map key
// the values sit under.
func equalValue(a, b any, key string) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		q := quantityMaps[key]
		for k, av := range x {
			bv, ok := y[k]
			if !ok {
				return false
			}
			if q && isScalar(av) && isScalar(bv) {
				if !scalarEqual(av, bv, "quantity") {
					return false
				}
			} else if !equalValue(av, bv, k) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValue(x[i], y[i], key) {
				return false
			}
		}
		return true
	}
	return scalarEqual(a, b, key)
}

// quantityMaps are the keys whose map values are resource quantities. The
// same keys also name lists and maps of structures (a LimitRange's
// spec.limits, a ResourceClaim's device requests), so only scalar values
// under them are compared as quantities (see isScalar).
var quantityMaps = map[string]bool{
	"requests": true, "limits": true, "hard": true, "capacity": true, "allocatable": true,
	"default": true, "defaultRequest": true, "max": true, "min": true, "overhead": true,
	"maxLimitRequestRatio": true, "podFixed": true,
}

// isScalar reports whether v is a leaf (not a map or a list).
func isScalar(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}

// quantityFields are scalar fields holding a quantity.
var quantityFields = map[string]bool{"sizeLimit": true, "quantity": true, "averageValue": true}

// scalarEqual compares leaves: quantities by value, numbers by value,
// secrets by digest, everything else exactly.
func scalarEqual(a, b any, key string) bool {
	if quantityFields[key] {
		if qa, errA := quantity.Parse(a); errA == nil {
			if qb, errB := quantity.Parse(b); errB == nil {
				return qa.Cmp(qb) == 0
			}
		}
	}
	switch x := a.(type) {
	case int64, float64:
		return manifest.ValuesEqual(a, b) // numbers by value, as every engine compares them
	case secretValue:
		y, ok := b.(secretValue)
		return ok && x.digest == y.digest
	case map[string]any, []any:
		return false // a map or list against a scalar
	}
	return a == b
}

// escape encodes a map key as a JSON pointer segment (RFC 6901).
func escape(k string) string {
	if !strings.ContainsAny(k, "~/") {
		return k
	}
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}
