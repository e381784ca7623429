package risk

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// RBAC rules: wildcards, Secret reads and cluster-admin bindings.

func init() {
	register(
		setRule{Meta{"rbac-wildcard", "rbac", 7}, checkRBACWildcard},
		setRule{Meta{"rbac-secret-read", "rbac", 5}, checkRBACSecrets},
		setRule{Meta{"cluster-admin-binding", "rbac", 9}, checkClusterAdmin},
	)
}

// roles returns the Roles and ClusterRoles whose rules are written by
// their author. An aggregated ClusterRole's rules are copied in by the
// aggregation controller from the roles it selects, which are judged
// themselves; judging the copy too would report each grant twice, and as
// "resolved" when a live dump is compared with the manifest's empty rules.
func roles(s *Set) []map[string]any {
	var out []map[string]any
	for _, kind := range []string{"ClusterRole", "Role"} {
		for _, o := range s.OfKind(kind) {
			if _, aggregated := o.Object["aggregationRule"]; aggregated && kind == "ClusterRole" {
				continue
			}
			out = append(out, o.Object)
		}
	}
	return out
}

func roleKey(o map[string]any) string {
	return stringAt(o, "kind") + "/" + stringAt(o, "metadata", "name")
}

func checkRBACWildcard(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, r := range roles(ctx.Set) {
		for i, rule := range sliceAt(r, "rules") {
			rm, _ := rule.(map[string]any)
			for _, field := range []string{"verbs", "resources", "apiGroups"} {
				if contains(stringList(sliceAt(rm, field)), "*") {
					out = append(out, m.finding(roleKey(r), "/rules/"+itoa(int64(i))+"/"+field, "%s grants \"*\" in %s", roleKey(r), field))
				}
			}
		}
	}
	return out
}

func checkRBACSecrets(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, r := range roles(ctx.Set) {
		for i, rule := range sliceAt(r, "rules") {
			rm, _ := rule.(map[string]any)
			verbs := stringList(sliceAt(rm, "verbs"))
			if contains(stringList(sliceAt(rm, "resources")), "secrets") &&
				(contains(verbs, "get") || contains(verbs, "list") || contains(verbs, "watch")) {
				out = append(out, m.finding(roleKey(r), "/rules/"+itoa(int64(i)), "%s can read Secrets", roleKey(r)))
			}
		}
	}
	return out
}

// checkClusterAdmin: a ClusterRoleBinding to cluster-admin is critical; a
// RoleBinding to it is admin of one namespace (8).
func checkClusterAdmin(m Meta, ctx *Context) []Finding {
	var out []Finding
	var bindings []*unstructured.Unstructured
	bindings = append(bindings, ctx.Set.OfKind("ClusterRoleBinding")...)
	bindings = append(bindings, ctx.Set.OfKind("RoleBinding")...)
	for _, o := range bindings {
		kind := o.GetKind()
		if stringAt(o.Object, "roleRef", "name") != "cluster-admin" {
			continue
		}
		f := m.finding(Key(o), "/roleRef/name", "%s grants cluster-admin", Key(o))
		if kind == "RoleBinding" {
			f.Severity = 8
		}
		out = append(out, f)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
