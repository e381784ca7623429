package clusterstate

import (
	"strconv"
)

// MatchesNode reports whether a pod spec (an unstructured map) may run on
// a node with the given labels: its nodeSelector and its required node affinity
// (nodeSelectorTerms are ORed, the expressions of a term ANDed; matchFields
// are not evaluated). Taints are not evaluated: DaemonSets that run on
// tainted nodes tolerate them, and the others rarely select such nodes.
func MatchesNode(spec map[string]any, labels map[string]string) bool {
	sel, _ := spec["nodeSelector"].(map[string]any)
	for k, v := range sel {
		if s, _ := v.(string); labels[k] != s {
			return false
		}
	}
	aff, _ := spec["affinity"].(map[string]any)
	na, _ := aff["nodeAffinity"].(map[string]any)
	req, _ := na["requiredDuringSchedulingIgnoredDuringExecution"].(map[string]any)
	terms, _ := req["nodeSelectorTerms"].([]any)
	if len(terms) == 0 {
		return true
	}
	for _, t := range terms {
		tm, _ := t.(map[string]any)
		if exprs, _ := tm["matchExpressions"].([]any); len(exprs) > 0 && matchesAll(exprs, labels) {
			return true
		}
	}
	return false
}

func matchesAll(exprs []any, labels map[string]string) bool {
	for _, e := range exprs {
		em, _ := e.(map[string]any)
		if !matchesExpr(em, labels) {
			return false
		}
	}
	return true
}

// matchesExpr evaluates one node selector requirement.
func matchesExpr(e map[string]any, labels map[string]string) bool {
	key, _ := e["key"].(string)
	op, _ := e["operator"].(string)
	var values []string
	list, _ := e["values"].([]any)
	for _, v := range list {
		if s, ok := v.(string); ok {
			values = append(values, s)
		}
	}
	val, has := labels[key]
	switch op {
	case "In":
		return has && contains(values, val)
	case "NotIn":
		return !has || !contains(values, val)
	case "Exists":
		return has
	case "DoesNotExist":
		return !has
	case "Gt", "Lt":
		if !has || len(values) != 1 {
			return false
		}
		a, errA := strconv.ParseInt(val, 10, 64)
		b, errB := strconv.ParseInt(values[0], 10, 64)
		if errA != nil || errB != nil {
			return false
		}
		return (op == "Gt" && a > b) || (op == "Lt" && a < b)
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
