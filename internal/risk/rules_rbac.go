package risk

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

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
// Roles the cluster itself owns (clusterOwned) are left out too.
func roles(s *Set) []map[string]any {
	var out []map[string]any
	for _, kind := range []string{"ClusterRole", "Role"} {
		for _, o := range s.OfKind(kind) {
			if _, aggregated := o.Object["aggregationRule"]; aggregated && kind == "ClusterRole" {
				continue
			}
			if clusterOwned(kind, o.GetName()) {
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

// checkRBACSecrets flags roles that read Secrets (5); a ClusterRole that a
// ClusterRoleBinding of the set binds reads every Secret of the cluster (8).
func checkRBACSecrets(m Meta, ctx *Context) []Finding {
	var out []Finding
	clusterWide := map[string]bool{}
	for _, b := range bindings(ctx.Set) {
		if b.GetKind() == "ClusterRoleBinding" && stringAt(b.Object, "roleRef", "kind") == "ClusterRole" {
			clusterWide["ClusterRole/"+stringAt(b.Object, "roleRef", "name")] = true
		}
	}
	for _, r := range roles(ctx.Set) {
		for i, rule := range sliceAt(r, "rules") {
			rm, _ := rule.(map[string]any)
			verbs := stringList(sliceAt(rm, "verbs"))
			if contains(stringList(sliceAt(rm, "resources")), "secrets") &&
				(contains(verbs, "get") || contains(verbs, "list") || contains(verbs, "watch")) {
				f := m.finding(roleKey(r), "/rules/"+itoa(int64(i)), "%s can read Secrets", roleKey(r))
				if clusterWide[roleKey(r)] {
					f.Severity = 8
					f.Message += " in every namespace (a ClusterRoleBinding binds it): every credential of the cluster"
				}
				out = append(out, f)
			}
		}
	}
	return out
}

// checkClusterAdmin: a ClusterRoleBinding to cluster-admin, or to a role of
// the set that allows every verb on every resource of every group, is
// critical; a RoleBinding to one is admin of one namespace (8).
func checkClusterAdmin(m Meta, ctx *Context) []Finding {
	var out []Finding
	var bindings []*unstructured.Unstructured
	bindings = append(bindings, ctx.Set.OfKind("ClusterRoleBinding")...)
	bindings = append(bindings, ctx.Set.OfKind("RoleBinding")...)
	for _, o := range bindings {
		kind := o.GetKind()
		if clusterOwned(kind, o.GetName()) {
			continue
		}
		ref := stringAt(o.Object, "roleRef", "name")
		role, refKey := boundRole(ctx.Set, o)
		var f Finding
		switch {
		case ref == "cluster-admin" && stringAt(o.Object, "roleRef", "kind") == "ClusterRole":
			f = m.finding(Key(o), "/roleRef/name", "%s grants cluster-admin", Key(o))
		case role != nil && grantsEverything(role):
			f = m.finding(Key(o), "/roleRef/name", "%s grants every verb on every resource (through %s): cluster-admin by another name", Key(o), refKey)
		default:
			continue
		}
		if kind == "RoleBinding" {
			f.Severity = 8
		}
		out = append(out, f)
	}
	return out
}

// allVerbs are the verbs that together amount to "*" for an administrator.
var allVerbs = []string{"get", "list", "watch", "create", "update", "patch", "delete"}

// grantsEverything reports whether one rule of role allows every verb (or
// all of get … delete) on every resource of every API group.
func grantsEverything(role map[string]any) bool {
	for _, rule := range sliceAt(role, "rules") {
		rm, _ := rule.(map[string]any)
		if !contains(stringList(sliceAt(rm, "apiGroups")), "*") || !contains(stringList(sliceAt(rm, "resources")), "*") {
			continue
		}
		verbs := stringList(sliceAt(rm, "verbs"))
		if contains(verbs, "*") {
			return true
		}
		all := true
		for _, v := range allVerbs {
			all = all && contains(verbs, v)
		}
		if all {
			return true
		}
	}
	return false
}

// clusterOwned reports whether an RBAC object belongs to the cluster rather
// than to the application: the API server's bootstrap roles and bindings
// ("system:" names, the default user-facing ClusterRoles admin, edit, view
// and cluster-admin with their cluster-admin binding) and those managed
// providers install ("gce:", "eks:"). They show up in live dumps and
// whole-cluster snapshots; a promotion neither creates nor changes them,
// so they are not its risk. A binding of the application's own name that
// refers to one of them still is.
func clusterOwned(kind, name string) bool {
	for _, p := range []string{"system:", "gce:", "eks:"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	switch kind {
	case "ClusterRole":
		return defaultClusterRoles[name] != ""
	case "ClusterRoleBinding":
		return name == "cluster-admin"
	}
	return false
}

// defaultClusterRoles are the user-facing ClusterRoles every cluster has,
// with what each grants on pods' exec and attach subresources (the
// bootstrap policy of kube-apiserver): admin and edit allow both.
var defaultClusterRoles = map[string]string{
	"cluster-admin": "exec", "admin": "exec", "edit": "exec", "view": "none",
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
