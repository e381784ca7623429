package risk

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// RBAC rules about running commands in pods and about what bindings grant.
// Exec and attach give a shell in every pod the subject can reach, with the
// pod's mounted Secrets and service-account token: in practice the rights of
// every workload of the namespace.

func init() {
	register(
		setRule{Meta{"rbac-pod-exec", "rbac", 7}, checkPodExecRoles},
		setRule{Meta{"rbac-binding-pod-exec", "rbac", 7}, checkPodExecBindings},
		setRule{Meta{"rbac-binding-unknown-role", "rbac", 4}, checkUnknownRoleBindings},
	)
}

// grantsPodExec returns the index of the first rule of role that allows
// creating an exec or attach session (create, or get for the WebSocket
// upgrade older clients use) in the core group, or -1.
func grantsPodExec(role map[string]any) int {
	for i, rule := range sliceAt(role, "rules") {
		rm, _ := rule.(map[string]any)
		groups := stringList(sliceAt(rm, "apiGroups"))
		if !contains(groups, "") && !contains(groups, "*") {
			continue
		}
		verbs := stringList(sliceAt(rm, "verbs"))
		if !contains(verbs, "create") && !contains(verbs, "get") && !contains(verbs, "*") {
			continue
		}
		for _, r := range stringList(sliceAt(rm, "resources")) {
			if r == "pods/exec" || r == "pods/attach" || r == "pods/*" || r == "*" {
				return i
			}
		}
	}
	return -1
}

func checkPodExecRoles(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, r := range roles(ctx.Set) {
		if i := grantsPodExec(r); i >= 0 {
			out = append(out, m.finding(roleKey(r), "/rules/"+itoa(int64(i)), "%s allows exec or attach into pods: a shell with every Secret those pods mount", roleKey(r)))
		}
	}
	return out
}

// bindings returns the application's RoleBindings and ClusterRoleBindings.
func bindings(s *Set) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, kind := range []string{"ClusterRoleBinding", "RoleBinding"} {
		for _, o := range s.OfKind(kind) {
			if !clusterOwned(kind, o.GetName()) {
				out = append(out, o)
			}
		}
	}
	return out
}

// boundRole returns the role a binding refers to when the set holds it
// (whatever its name: the binding is the application's), and the
// roleRef's "Kind/name".
func boundRole(s *Set, b *unstructured.Unstructured) (map[string]any, string) {
	ref := stringAt(b.Object, "roleRef", "kind") + "/" + stringAt(b.Object, "roleRef", "name")
	if o := s.Get(ref); o != nil {
		return o.Object, ref
	}
	return nil, ref
}

func checkPodExecBindings(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, b := range bindings(ctx.Set) {
		role, ref := boundRole(ctx.Set, b)
		name := stringAt(b.Object, "roleRef", "name")
		switch {
		case role != nil && grantsPodExec(role) >= 0:
		case role == nil && stringAt(b.Object, "roleRef", "kind") == "ClusterRole" && defaultClusterRoles[name] == "exec" && name != "cluster-admin":
			// cluster-admin has its own, more severe rule.
		default:
			continue
		}
		out = append(out, m.finding(Key(b), "/roleRef", "%s lets its subjects exec or attach into pods (through %s)", Key(b), ref))
	}
	return out
}

// checkUnknownRoleBindings flags a binding to a role that is neither in the
// set nor one the cluster provides: what it grants cannot be judged, and it
// grants whatever a role of that name created later will.
func checkUnknownRoleBindings(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, b := range bindings(ctx.Set) {
		role, ref := boundRole(ctx.Set, b)
		kind, name := stringAt(b.Object, "roleRef", "kind"), stringAt(b.Object, "roleRef", "name")
		if role != nil || name == "" || clusterOwned(kind, name) {
			continue
		}
		out = append(out, m.finding(Key(b), "/roleRef/name", "%s binds %s, which the set does not define: its grants cannot be checked", Key(b), ref))
	}
	return out
}
