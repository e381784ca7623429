package explain

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	numberRE = regexp.MustCompile(`[0-9][0-9,]*(\.[0-9]+)?`)
	// resourceRE finds "Kind/name" references in an answer.
	resourceRE = regexp.MustCompile(`\b([A-Z][A-Za-z]+)/([a-zA-Z0-9][` + nameChars + `]*)`)
)

// normalizeNumber drops thousands separators and trailing zeros so "1,250.00"
// and "1250" compare equal.
func normalizeNumber(s string) string {
	s = strings.ReplaceAll(strings.TrimRight(s, ",."), ",", "")
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	s = strings.TrimLeft(s, "0")
	if s == "" || s[0] == '.' {
		s = "0" + s
	}
	return s
}

// numbers returns the normalized numbers in s, ignoring the digits of
// placeholders.
func numbers(s string) map[string]bool {
	s = placeholderRE.ReplaceAllString(s, "")
	out := map[string]bool{}
	for _, n := range numberRE.FindAllString(s, -1) {
		out[normalizeNumber(n)] = true
	}
	return out
}

// check validates a masked answer against the masked facts it was given and
// returns why it must be discarded, or "".
func check(answer, facts string, m *masker, kinds map[string]bool) string {
	if strings.TrimSpace(answer) == "" {
		return "empty answer"
	}
	if p := m.unknownPlaceholder(answer); p != "" {
		return fmt.Sprintf("answer uses placeholder %s, which is not in the facts", p)
	}
	for _, ref := range resourceRE.FindAllStringSubmatch(answer, -1) {
		if !kinds[ref[1]] {
			continue // "GiB/month" is not a resource
		}
		name := strings.TrimRight(ref[2], ".-_") // sentence punctuation
		if !placeholderRE.MatchString(name) || m.toName[name] == "" {
			return fmt.Sprintf("answer names resource %s/%s, which is not in the facts", ref[1], name)
		}
	}
	known := numbers(facts)
	for n := range numbers(answer) {
		if known[n] || smallCount(n) {
			continue
		}
		return fmt.Sprintf("answer states the number %s, which is not in the facts", n)
	}
	return ""
}

func smallCount(n string) bool {
	return len(n) == 1 || n == "10"
}

// commonKinds are kinds an answer may name even when the facts do not.
var commonKinds = []string{
	"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod", "Rollout",
	"Service", "Ingress", "ConfigMap", "Secret", "PersistentVolumeClaim", "HorizontalPodAutoscaler",
	"PodDisruptionBudget", "NetworkPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
	"ServiceAccount", "Namespace", "ResourceQuota", "LimitRange",
}

// kindsOf returns the common kinds and those of the facts' resources.
func kindsOf(f Facts) map[string]bool {
	out := map[string]bool{}
	for _, k := range commonKinds {
		out[k] = true
	}
	for _, key := range resourceKeys(f) {
		if i := strings.Index(key, "/"); i > 0 {
			out[key[:i]] = true
		}
	}
	return out
}
