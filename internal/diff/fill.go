package diff

import (
	"strconv"
	"strings"
)

// defaulted answers, for one normalized object, what value a field the
// object does not have stands for: its API-server default. It lets a field
// set on one side and omitted (or pruned) on the other compare against the
// default, and is only consulted for such fields, so it costs nothing on
// identical objects.
type defaulted struct {
	gk  string
	obj map[string]any
}

// fill stands in for a field missing at ptr: its default, or an empty map
// when defaults exist below it and the other side is a map.
func (d *defaulted) fill(ptr string, other any) (any, bool) {
	if d == nil {
		return nil, false
	}
	segs := strings.Split(ptr[1:], "/")
	if v, ok := d.dependent(segs); ok {
		return v, true
	}
	_, otherIsMap := other.(map[string]any)
	for _, fd := range fullDefaults[d.gk] {
		switch {
		case len(fd.path) == len(segs) && matches(fd.path, segs):
			return fd.value, true
		case otherIsMap && len(fd.path) > len(segs) && matches(fd.path[:len(segs)], segs):
			return map[string]any{}, true
		}
	}
	return nil, false
}

// dependent handles defaults that depend on a sibling field: a container's
// imagePullPolicy (implied by the image tag) and a Service port's targetPort
// (the port).
func (d *defaulted) dependent(segs []string) (any, bool) {
	last := segs[len(segs)-1]
	switch {
	case last == "imagePullPolicy":
		c, ok := pointerValue(d.obj, segs[:len(segs)-1]).(map[string]any)
		if img, isStr := c["image"].(string); ok && isStr {
			return impliedPullPolicy(img), true
		}
	case last == "targetPort" && d.gk == "/Service" && len(segs) == 4 && segs[1] == "ports":
		p, ok := pointerValue(d.obj, segs[:3]).(map[string]any)
		if port, has := p["port"]; ok && has {
			return port, true
		}
	}
	return nil, false
}

func matches(pattern, segs []string) bool {
	for i, p := range pattern {
		if p == "*" {
			if _, err := strconv.Atoi(segs[i]); err != nil {
				return false
			}
			continue
		}
		if p != segs[i] {
			return false
		}
	}
	return true
}

// pointerValue follows already-split JSON pointer segments.
func pointerValue(v any, segs []string) any {
	for _, s := range segs {
		switch x := v.(type) {
		case map[string]any:
			v = x[s]
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}
