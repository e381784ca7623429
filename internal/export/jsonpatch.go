package export

import (
	"encoding/json"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// patchOp is one RFC 6902 operation.
type patchOp struct {
	Op    string
	Path  string
	Value any
}

// MarshalJSON writes value for add and replace even when it is null, and
// never for remove.
func (o patchOp) MarshalJSON() ([]byte, error) {
	if o.Op == "remove" {
		return json.Marshal(map[string]any{"op": o.Op, "path": o.Path})
	}
	return json.Marshal(map[string]any{"op": o.Op, "path": o.Path, "value": o.Value})
}

// jsonPatch returns the operations that turn from into to: maps are
// compared key by key (sorted, so the patch is deterministic), lists of
// equal length item by item, anything else is replaced whole.
func jsonPatch(from, to any, at string) []patchOp {
	if reflect.DeepEqual(from, to) {
		return nil
	}
	fm, ok1 := from.(map[string]any)
	tm, ok2 := to.(map[string]any)
	if ok1 && ok2 {
		var ops []patchOp
		for _, k := range sortedKeys(fm) {
			if _, ok := tm[k]; !ok {
				ops = append(ops, patchOp{Op: "remove", Path: at + "/" + pointerEscape(k)})
			}
		}
		for _, k := range sortedKeys(tm) {
			p := at + "/" + pointerEscape(k)
			if fv, ok := fm[k]; ok {
				ops = append(ops, jsonPatch(fv, tm[k], p)...)
			} else {
				ops = append(ops, patchOp{Op: "add", Path: p, Value: tm[k]})
			}
		}
		return ops
	}
	fl, ok1 := from.([]any)
	tl, ok2 := to.([]any)
	if ok1 && ok2 && len(fl) == len(tl) {
		var ops []patchOp
		for i := range fl {
			ops = append(ops, jsonPatch(fl[i], tl[i], at+"/"+strconv.Itoa(i))...)
		}
		return ops
	}
	return []patchOp{{Op: "replace", Path: at, Value: to}}
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// pointerEscape escapes a JSON pointer token (label keys hold "/").
func pointerEscape(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
