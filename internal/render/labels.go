package render

import (
	"regexp"
	"strings"
)

// Label keys.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelInstance  = "app.kubernetes.io/instance"
	LabelVersion   = "app.kubernetes.io/version"
	LabelComponent = "app.kubernetes.io/component"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelEnv       = "capsule.dev/environment"
	LabelSlot      = "capsule.dev/slot"
	LabelTrack     = "capsule.dev/track"
)

// labels returns the standard labels of every object of the service.
func (r *renderer) labels() map[string]string {
	l := map[string]string{
		LabelName:      r.spec.Name,
		LabelInstance:  r.instance,
		LabelVersion:   r.version,
		LabelComponent: r.spec.Type,
		LabelPartOf:    r.partOf,
		LabelManagedBy: "capsule",
	}
	if env := labelValue(r.opts.Env); env != "" {
		l[LabelEnv] = env
	}
	return l
}

// selector returns the immutable labels that select the service's pods.
func (r *renderer) selector() map[string]string {
	return map[string]string{LabelName: r.spec.Name, LabelInstance: r.instance}
}

// with returns a copy of m with the extra pairs (key, value, key, value...).
func with(m map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(m)+len(kv)/2)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

var badLabelChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// labelValue makes s a valid label value: at most 63 characters of
// [A-Za-z0-9._-], starting and ending with an alphanumeric.
func labelValue(s string) string {
	s = badLabelChars.ReplaceAllString(s, "-")
	if len(s) > 63 {
		s = s[:63]
	}
	return strings.Trim(s, "-_.")
}

// imageVersion is the tag (or digest prefix) of an image reference.
func imageVersion(image string) string {
	if at := strings.LastIndex(image, "@"); at >= 0 {
		d := image[at+1:]
		d = strings.TrimPrefix(d, "sha256:")
		if len(d) > 12 {
			d = d[:12]
		}
		return d
	}
	slash := strings.LastIndex(image, "/")
	if colon := strings.LastIndex(image, ":"); colon > slash {
		return image[colon+1:]
	}
	return "latest"
}
