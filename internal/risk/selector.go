package risk

// selector is a parsed metav1.LabelSelector (matchLabels and
// matchExpressions). ok is false when it uses an operator the engine does
// not know or a malformed field: such a selector is not judged, so a rule
// never claims "selects nothing" on a guess.
type selector struct {
	labels map[string]string
	exprs  []selectorExpr
	ok     bool
}

type selectorExpr struct {
	key, op string
	values  []string
}

// parseSelector reads a LabelSelector map; a nil map parses as empty.
func parseSelector(m map[string]any) selector {
	s := selector{labels: stringMap(mapAt(m, "matchLabels")), ok: true}
	for _, e := range sliceAt(m, "matchExpressions") {
		em, isMap := e.(map[string]any)
		if !isMap {
			s.ok = false
			continue
		}
		x := selectorExpr{key: stringAt(em, "key"), op: stringAt(em, "operator"), values: stringList(sliceAt(em, "values"))}
		switch x.op {
		case "In", "NotIn", "Exists", "DoesNotExist":
		default:
			s.ok = false
		}
		s.exprs = append(s.exprs, x)
	}
	return s
}

// empty reports whether the selector has no requirement: it selects every
// pod of its namespace.
func (s selector) empty() bool { return len(s.labels) == 0 && len(s.exprs) == 0 }

// matches reports whether labels satisfy every requirement.
func (s selector) matches(labels map[string]string) bool {
	for k, v := range s.labels {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	for _, x := range s.exprs {
		v, has := labels[x.key]
		switch x.op {
		case "In":
			if !has || !contains(x.values, v) {
				return false
			}
		case "NotIn":
			if has && contains(x.values, v) {
				return false
			}
		case "Exists":
			if !has {
				return false
			}
		case "DoesNotExist":
			if has {
				return false
			}
		}
	}
	return true
}

// selectsWorkload reports whether a non-empty selector of an object in
// namespace ns matches the pods of some workload of the set in that
// namespace.
func (s selector) selectsWorkload(set *Set, ns string) bool {
	for _, w := range set.Workloads {
		if sameNamespace(ns, w.Obj.GetNamespace()) && s.matches(w.Labels) {
			return true
		}
	}
	return false
}
