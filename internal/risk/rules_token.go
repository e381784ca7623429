package risk

// A mounted service-account token lets whoever runs code in the pod act
// with the account's permissions. It is judged for pods running as a
// ServiceAccount of the set (the application's own account, the one its
// roles are bound to); pods on the namespace's default account are left
// alone, as nearly every manifest relies on that and it usually holds no
// grants. The pod's automountServiceAccountToken wins over the account's.

func init() {
	register(setRule{Meta{"service-account-token", "rbac", 2}, checkTokenMounts})
}

func checkTokenMounts(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		name := stringAt(w.Spec, "serviceAccountName")
		if name == "" || name == "default" {
			continue
		}
		sa := ctx.Set.Get("ServiceAccount/" + name)
		if sa == nil {
			continue
		}
		mount := boolAt(w.Spec, "automountServiceAccountToken")
		if mount == nil {
			mount = boolAt(sa.Object, "automountServiceAccountToken")
		}
		if isFalse(mount) {
			continue
		}
		f := m.finding(w.Key, w.Pod.Path+"/automountServiceAccountToken",
			"pods of %s mount the token of ServiceAccount/%s: code running in them acts with its permissions (set automountServiceAccountToken: false unless the app calls the Kubernetes API)", w.Key, name)
		if boundInSet(ctx.Set, name) {
			f.Severity = 4 // the set grants this account something
		}
		out = append(out, f)
	}
	return out
}

// boundInSet reports whether a binding of the set names the ServiceAccount
// as a subject.
func boundInSet(s *Set, account string) bool {
	for _, b := range bindings(s) {
		for _, sub := range sliceAt(b.Object, "subjects") {
			sm, _ := sub.(map[string]any)
			if stringAt(sm, "kind") == "ServiceAccount" && stringAt(sm, "name") == account {
				return true
			}
		}
	}
	return false
}
