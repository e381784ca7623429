package risk

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Names the API server rejects: port names and labels that break its
// syntax. A label written as a YAML number or boolean (version: 1.0) is the
// common case: the object does not even decode on the server. The checks
// are byte loops rather than regular expressions because they run on
// every label of both sides within the preview budget.

func init() {
	register(
		setRule{Meta{"invalid-label", "spec-validity", 8}, checkLabels},
		setRule{Meta{"invalid-port-name", "spec-validity", 8}, checkPortNames},
	)
}

func checkLabels(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, o := range ctx.Set.Objects {
		if labels := mapAt(o.Object, "metadata", "labels"); len(labels) > 0 {
			out = append(out, badLabels(m, o, "", labels)...)
		}
	}
	for _, w := range ctx.Set.Workloads {
		if w.TemplatePath == "" || w.TemplatePath == workloadRefPath {
			continue // a Pod's labels are its metadata's, checked above
		}
		tmpl, _ := atPointer(w.Obj.Object, w.TemplatePath).(map[string]any)
		if labels := mapAt(tmpl, "metadata", "labels"); len(labels) > 0 {
			out = append(out, badLabels(m, w.Obj, w.TemplatePath, labels)...)
		}
	}
	return out
}

// badLabels judges labels of object o found under prefix (a JSON pointer:
// "" for the object's own, the pod template's otherwise); the key and
// paths are built only for a label that is wrong.
func badLabels(m Meta, o *unstructured.Unstructured, prefix string, labels map[string]any) []Finding {
	var out []Finding
	for k, v := range labels {
		s, isString := v.(string)
		if validLabelKey(k) && isString && validLabelValue(s) {
			continue
		}
		key := Key(o)
		p := prefix + "/metadata/labels/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
		switch {
		case !validLabelKey(k):
			out = append(out, m.finding(key, p, "%s has the invalid label key %q: the API server will reject it", key, k))
		case !isString:
			out = append(out, m.finding(key, p, "%s's label %s is not a string (%v): quote it, or the API server will reject the object", key, k, v))
		default:
			out = append(out, m.finding(key, p, "%s's label %s has the invalid value %q (at most 63 letters, digits, '-', '_' or '.', alphanumeric at both ends): the API server will reject it", key, k, s))
		}
	}
	return out
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

// validLabelValue: empty, or at most 63 of [A-Za-z0-9_.-] starting and
// ending alphanumeric.
func validLabelValue(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > 63 || !alnum(s[0]) || !alnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !alnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// validLabelKey: an optional DNS subdomain prefix and "/", then a
// non-empty name valid as a label value.
func validLabelKey(k string) bool {
	name := k
	if i := strings.LastIndexByte(k, '/'); i >= 0 {
		prefix := k[:i]
		name = k[i+1:]
		if !validSubdomain(prefix) {
			return false
		}
	}
	return name != "" && validLabelValue(name)
}

// validSubdomain: at most 253 characters, dot-separated labels of
// lowercase letters, digits and '-', alphanumeric at both ends.
func validSubdomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" || part[0] == '-' || part[len(part)-1] == '-' {
			return false
		}
		for i := 0; i < len(part); i++ {
			if c := part[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// validPortName is the IANA service name syntax of container port names
// and named targetPorts: at most 15 of [a-z0-9-], at least one letter, no
// leading, trailing or double hyphen.
func validPortName(s string) bool {
	if s == "" || len(s) > 15 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			letter = true
		case c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	return letter
}

func checkPortNames(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		for _, c := range w.Pod.AllContainers() {
			for i, p := range sliceAt(c.raw, "ports") {
				pm, _ := p.(map[string]any)
				if n := stringAt(pm, "name"); n != "" && !validPortName(n) {
					out = append(out, m.finding(w.Key, c.Path+"/ports/"+itoa(int64(i))+"/name", "container %q has the invalid port name %q (at most 15 lowercase letters, digits and single hyphens, with a letter): the API server will reject it", c.Name, n))
				}
			}
		}
	}
	for _, svc := range ctx.Set.OfKind("Service") {
		for i, p := range sliceAt(svc.Object, "spec", "ports") {
			pm, _ := p.(map[string]any)
			if n, ok := pm["targetPort"].(string); ok && !validPortName(n) {
				out = append(out, m.finding(Key(svc), "/spec/ports/"+itoa(int64(i))+"/targetPort", "%s's targetPort %q is neither a number nor a valid port name: the API server will reject it", Key(svc), n))
			}
		}
	}
	return out
}
