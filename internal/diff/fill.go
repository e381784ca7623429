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
	if v, ok := d.dependent(segs, other); ok {
		return v, true
	}
	_, otherIsMap := other.(map[string]any)
	for _, fd := range fullDefaults()[d.gk] {
		switch {
		case len(fd.path) == len(segs) && matches(fd.path, segs):
			return fd.value, true
		case otherIsMap && !optionalParent[segs[len(segs)-1]] && len(fd.path) > len(segs) && matches(fd.path[:len(segs)], segs):
			return map[string]any{}, true
		}
	}
	return nil, false
}

// optionalParent are fields whose absence the server leaves alone even
// though it defaults fields inside them when they are present: a removed
// probe is removed as a whole, not turned into a probe of default values.
var optionalParent = map[string]bool{
	"livenessProbe": true, "readinessProbe": true, "startupProbe": true, "httpGet": true,
	"configMap": true, "secret": true, "projected": true, "downwardAPI": true, "hostPath": true,
	"valueFrom": true, "fieldRef": true,
}

// dependent handles defaults that depend on another field: a container's
// imagePullPolicy (implied by the image tag), a Service port's targetPort
// (the port), a container's resource requests (its limits, per resource),
// a caBundle (injected by a controller), and nodePort (allocated by the server, and kept by an apply that
// omits it, so the other side's value), and a ReplicationController's
// selector and labels (its template's labels).
func (d *defaulted) dependent(segs []string, other any) (any, bool) {
	last := segs[len(segs)-1]
	switch {
	case len(segs) >= 3 && last == "requests" && segs[len(segs)-2] == "resources":
		limits, ok := pointerValue(d.obj, append(segs[:len(segs)-1:len(segs)-1], "limits")).(map[string]any)
		return limits, ok && len(limits) > 0 // requests default to the limits
	case len(segs) >= 4 && segs[len(segs)-2] == "requests" && segs[len(segs)-3] == "resources":
		limit := pointerValue(d.obj, append(segs[:len(segs)-2:len(segs)-2], "limits", last))
		return limit, limit != nil
	case last == "caBundle" && injectedCABundle[d.gk]:
		return other, other != nil
	case d.gk == "/PersistentVolumeClaim" && (ptrIs(segs, "spec", "storageClassName") || ptrIs(segs, "spec", "volumeName")):
		return other, other != nil
	case last == "nodePort" && d.gk == "/Service" && len(segs) == 4 && segs[1] == "ports":
		return other, other != nil
	case d.gk == "/ReplicationController" && (ptrIs(segs, "spec", "selector") || ptrIs(segs, "metadata", "labels")):
		labels, ok := pointerValue(d.obj, []string{"spec", "template", "metadata", "labels"}).(map[string]any)
		return labels, ok && len(labels) > 0
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

func ptrIs(segs []string, want ...string) bool {
	if len(segs) != len(want) {
		return false
	}
	for i := range segs {
		if segs[i] != want[i] {
			return false
		}
	}
	return true
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
