package gitevents

import (
	"fmt"
	"strings"
	"time"
)

// DefaultTagTemplate is the image tag a commit deploys: the full commit
// SHA, which is how CI pipelines commonly tag the images they push.
const DefaultTagTemplate = "{sha}"

// Tag renders a tag template for a commit: {sha} (the full commit id),
// {short_sha} (its first 7 characters) and {branch} (with characters an
// image tag cannot hold replaced by "-"). The result must be a valid
// image tag.
func Tag(template, sha, branch string) (string, error) {
	if template == "" {
		template = DefaultTagTemplate
	}
	short := sha
	if len(short) > 7 {
		short = short[:7]
	}
	t := strings.NewReplacer("{sha}", sha, "{short_sha}", short, "{branch}", tagSafe(branch)).Replace(template)
	if !isTag(t) {
		return "", fmt.Errorf("tag template %q gives %q, which is not an image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})", clip(template), clip(t))
	}
	return t, nil
}

func tagSafe(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			b[i] = '-'
		}
	}
	return string(b)
}

func isTag(s string) bool {
	if s == "" || len(s) > 128 || s[0] == '.' || s[0] == '-' {
		return false
	}
	return tagSafe(s) == s
}

// WithTag replaces the tag (and drops the digest) of an image reference:
// ghcr.io/acme/web:1.0 → ghcr.io/acme/web:<tag>; a registry's port is
// kept (localhost:5000/web → localhost:5000/web:<tag>).
func WithTag(image, tag string) string {
	name, _, _ := strings.Cut(image, "@")
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		name = name[:i]
	}
	return name + ":" + tag
}

// PreviewSettings are a project's settings.previewEnvironments: how its
// pull-request environments are reached and how long they live.
type PreviewSettings struct {
	// BaseDomain and HostPattern make each pull request's host; without
	// a base domain its services get no Ingress host.
	BaseDomain  string
	HostPattern string
	// TTL is how long after its last deploy a pull-request environment is
	// removed even if the pull request stays open.
	TTL time.Duration
	// SleepAfter, when set, is how long after its last deploy a
	// pull-request environment's services are scaled to zero.
	SleepAfter time.Duration
	// TagTemplate is settings.gitEvents.tagTemplate (see Tag).
	TagTemplate string
}

// Defaults of PreviewSettings.
const (
	DefaultHostPattern = "pr-{number}.{project}.{base-domain}"
	DefaultPreviewTTL  = 7 * 24 * time.Hour
)

// SettingsOf reads a project's settings: previewEnvironments {baseDomain,
// hostPattern, ttl, sleepAfter} and gitEvents {tagTemplate}, naming what is wrong.
func SettingsOf(settings map[string]any) (PreviewSettings, error) {
	out := PreviewSettings{HostPattern: DefaultHostPattern, TTL: DefaultPreviewTTL}
	str := func(m map[string]any, key, path string, dst *string) error {
		v, ok := m[key]
		if !ok {
			return nil
		}
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("settings.%s must be a string", path)
		}
		if s != "" {
			*dst = s
		}
		return nil
	}
	if m, ok := settings["previewEnvironments"].(map[string]any); ok {
		if err := str(m, "baseDomain", "previewEnvironments.baseDomain", &out.BaseDomain); err != nil {
			return out, err
		}
		if err := str(m, "hostPattern", "previewEnvironments.hostPattern", &out.HostPattern); err != nil {
			return out, err
		}
		for key, dst := range map[string]*time.Duration{"ttl": &out.TTL, "sleepAfter": &out.SleepAfter} {
			var v string
			if err := str(m, key, "previewEnvironments."+key, &v); err != nil {
				return out, err
			}
			if v == "" {
				continue
			}
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return out, fmt.Errorf("settings.previewEnvironments.%s %q is not a positive duration such as 72h", key, clip(v))
			}
			*dst = d
		}
	}
	if m, ok := settings["gitEvents"].(map[string]any); ok {
		if err := str(m, "tagTemplate", "gitEvents.tagTemplate", &out.TagTemplate); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Host is the pull request's host from the pattern ({number}, {project},
// {base-domain}; {service} is left for each public service), or "" without
// a base domain.
func (s PreviewSettings) Host(number int, projectSlug string) string {
	if s.BaseDomain == "" {
		return ""
	}
	return strings.NewReplacer("{number}", fmt.Sprint(number), "{project}", projectSlug,
		"{base-domain}", strings.Trim(s.BaseDomain, ".")).Replace(s.HostPattern)
}
