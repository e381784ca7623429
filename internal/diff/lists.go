package diff

import (
	"fmt"
	"strconv"
)

// mergeKeys are the Kubernetes strategic-merge keys tried, in order, to
// match list items so that reordering is not a change.
var mergeKeys = []string{"name", "mountPath", "devicePath", "containerPort", "port", "ip", "topologyKey"}

func (w *walker) lists(path, key string, a, b []any) {
	if k := listMergeKey(a, b); k != "" {
		w.keyedLists(path, k, a, b)
		return
	}
	if !allMaps(a) || !allMaps(b) {
		// Scalars (args, command) or mixed: the list changes as a whole.
		if len(a) != len(b) || !scalarsEqual(a, b, key) {
			w.emit(path, OpChanged, a, b)
		}
		return
	}
	for i := 0; i < len(a) || i < len(b); i++ {
		p := path + "/" + strconv.Itoa(i)
		switch {
		case i >= len(a):
			w.emit(p, OpAdded, nil, b[i])
		case i >= len(b):
			w.emit(p, OpRemoved, a[i], nil)
		default:
			w.value(p, key, a[i], b[i])
		}
	}
}

func scalarsEqual(a, b []any, key string) bool {
	for i := range a {
		if !scalarEqual(a[i], b[i], key) {
			return false
		}
	}
	return true
}

// keyedLists matches items by merge key: pointers use the proposed index for
// changed and added items and the current index for removed ones.
func (w *walker) keyedLists(path, mk string, a, b []any) {
	ai := keyIndex(a, mk)
	for j, item := range b {
		k := keyOf(item, mk)
		p := path + "/" + strconv.Itoa(j)
		if i, ok := ai[k]; ok {
			w.value(p, "", a[i], item)
			delete(ai, k)
			continue
		}
		w.emit(p, OpAdded, nil, item)
	}
	for i, item := range a {
		if _, left := ai[keyOf(item, mk)]; left {
			w.emit(path+"/"+strconv.Itoa(i), OpRemoved, item, nil)
		}
	}
	followOrder(a, b, mk)
}

// followOrder reorders a in place like b (unmatched items last), so that a
// reordering, which is not a change, does not show in rendered diffs.
func followOrder(a, b []any, mk string) {
	inA := keyIndex(a, mk)
	inB := keyIndex(b, mk)
	sorted := make([]any, 0, len(a))
	for _, item := range b {
		if i, ok := inA[keyOf(item, mk)]; ok {
			sorted = append(sorted, a[i])
		}
	}
	for _, x := range a {
		if _, ok := inB[keyOf(x, mk)]; !ok {
			sorted = append(sorted, x)
		}
	}
	copy(a, sorted)
}

func allMaps(l []any) bool {
	for _, x := range l {
		if _, ok := x.(map[string]any); !ok {
			return false
		}
	}
	return true
}

// listMergeKey returns the first merge key that every item of both lists has
// and that is unique within each list, or "".
func listMergeKey(a, b []any) string {
	if len(a) == 0 && len(b) == 0 || !allMaps(a) || !allMaps(b) {
		return ""
	}
	for _, mk := range mergeKeys {
		if uniqueKey(a, mk) && uniqueKey(b, mk) {
			return mk
		}
	}
	return ""
}

func uniqueKey(l []any, mk string) bool {
	seen := make(map[string]bool, len(l))
	for _, x := range l {
		v, ok := x.(map[string]any)[mk]
		if !ok {
			return false
		}
		k := scalarKey(v)
		if seen[k] {
			return false
		}
		seen[k] = true
	}
	return true
}

func keyOf(item any, mk string) string { return scalarKey(item.(map[string]any)[mk]) }

// scalarKey renders a merge-key value; strings and integers are the cases
// that occur, so they avoid fmt.
func scalarKey(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}

func keyIndex(l []any, mk string) map[string]int {
	out := make(map[string]int, len(l))
	for i, x := range l {
		out[keyOf(x, mk)] = i
	}
	return out
}
