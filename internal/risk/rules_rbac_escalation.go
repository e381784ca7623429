package risk

// RBAC grants that let their holder gain more than they say: creating a
// workload runs code as any ServiceAccount of the namespace (with its
// token and Secrets); impersonation acts as another user; escalate and
// bind hand out permissions one does not hold; nodes/proxy reaches the
// kubelet API (exec into any pod of the node); creating service-account
// tokens mints credentials of other accounts; port-forward opens a tunnel
// to any pod's ports, past NetworkPolicies.
//
// Installing admission webhooks puts one's own service in the path of every
// API request; approving certificate requests issues credentials;
// creating PersistentVolumes mounts any node path (hostPath); deleting
// Events erases the trace of what happened.
//
// A Role cannot grant cluster-scoped resources (nodes, PersistentVolumes,
// webhook configurations, ClusterRoles, users and groups), so those are
// judged in ClusterRoles only.
//
// A rule whose resources are "*" is the rbac-wildcard rule's: these rules
// look at resources named explicitly, so one wildcard is not reported six
// times. A verb "*" counts as every verb.

func init() {
	register(
		setRule{Meta{"rbac-create-workloads", "rbac", 6}, checkCreateWorkloads},
		setRule{Meta{"rbac-impersonate", "rbac", 8}, checkImpersonate},
		setRule{Meta{"rbac-escalate-bind", "rbac", 8}, checkEscalateBind},
		setRule{Meta{"rbac-nodes-proxy", "rbac", 8}, checkNodesProxy},
		setRule{Meta{"rbac-token-create", "rbac", 7}, checkTokenCreate},
		setRule{Meta{"rbac-port-forward", "rbac", 5}, checkPortForward},
		setRule{Meta{"rbac-modify-webhooks", "rbac", 8}, checkModifyWebhooks},
		setRule{Meta{"rbac-approve-csr", "rbac", 7}, checkApproveCSR},
		setRule{Meta{"rbac-create-pv", "rbac", 6}, checkCreatePV},
		setRule{Meta{"rbac-delete-events", "rbac", 4}, checkDeleteEvents},
	)
}

// rbacGrant is what one policy rule of a role grants.
type rbacGrant struct {
	groups, resources, verbs []string
}

func (g rbacGrant) verb(v string) bool { return contains(g.verbs, v) || contains(g.verbs, "*") }

func (g rbacGrant) group(names ...string) bool {
	for _, n := range names {
		if contains(g.groups, n) {
			return true
		}
	}
	return contains(g.groups, "*")
}

// resource returns the first of names the rule lists explicitly.
func (g rbacGrant) resource(names ...string) string {
	for _, n := range names {
		if contains(g.resources, n) {
			return n
		}
	}
	return ""
}

// eachGrant calls f for every policy rule of the set's own roles, with its
// JSON path and the role's key; f returns a message, or "" for none.
func eachGrant(m Meta, ctx *Context, f func(g rbacGrant) string) []Finding {
	var out []Finding
	for _, r := range roles(ctx.Set) {
		namespaced := stringAt(r, "kind") == "Role"
		for i, rule := range sliceAt(r, "rules") {
			rm, _ := rule.(map[string]any)
			g := rbacGrant{stringList(sliceAt(rm, "apiGroups")), stringList(sliceAt(rm, "resources")), stringList(sliceAt(rm, "verbs"))}
			if namespaced {
				g.resources = withoutClusterScoped(g.resources)
			}
			if msg := f(g); msg != "" {
				out = append(out, m.finding(roleKey(r), "/rules/"+itoa(int64(i)), "%s %s", roleKey(r), msg))
			}
		}
	}
	return out
}

// clusterScoped reports whether a resource (or subresource) these rules
// name is one a Role cannot grant.
func clusterScoped(resource string) bool {
	switch resource {
	case "nodes/proxy", "nodes/*", "persistentvolumes", "certificatesigningrequests/approval",
		"mutatingwebhookconfigurations", "validatingwebhookconfigurations", "clusterroles",
		"users", "groups", "uids", "userextras/*":
		return true
	}
	return false
}

func withoutClusterScoped(resources []string) []string {
	out := resources[:0:0]
	for _, r := range resources {
		if !clusterScoped(r) {
			out = append(out, r)
		}
	}
	return out
}

// workloadResources are the resources whose creation starts pods, by
// group.
var workloadResources = []struct {
	groups    []string
	resources []string
}{
	{[]string{""}, []string{"pods", "replicationcontrollers"}},
	{[]string{"apps", "extensions"}, []string{"deployments", "replicasets", "statefulsets", "daemonsets"}},
	{[]string{"batch"}, []string{"jobs", "cronjobs"}},
}

func checkCreateWorkloads(m Meta, ctx *Context) []Finding {
	return eachGrant(m, ctx, func(g rbacGrant) string {
		if !g.verb("create") {
			return ""
		}
		for _, w := range workloadResources {
			if r := g.resource(w.resources...); r != "" && g.group(w.groups...) {
				return "can create " + r + ": it can run any image as any ServiceAccount of the namespace, with its token and Secrets"
			}
		}
		return ""
	})
}

func checkImpersonate(m Meta, ctx *Context) []Finding {
	return eachGrant(m, ctx, func(g rbacGrant) string {
		if contains(g.verbs, "impersonate") {
			return "can impersonate other users, groups or ServiceAccounts: it acts with their permissions"
		}
		if r := g.resource("users", "groups", "serviceaccounts", "uids", "userextras/*"); r != "" && contains(g.verbs, "*") && g.group("", "authentication.k8s.io") {
			return "allows every verb on " + r + ", impersonate included: it acts with their permissions"
		}
		return ""
	})
}

func checkEscalateBind(m Meta, ctx *Context) []Finding {
	return eachGrant(m, ctx, func(g rbacGrant) string {
		r := g.resource("roles", "clusterroles")
		if r == "" || !g.group("rbac.authorization.k8s.io") {
			return ""
		}
		for _, v := range []string{"escalate", "bind"} {
			if g.verb(v) {
				return "allows " + v + " on " + r + ": it can grant permissions it does not hold, up to cluster-admin"
			}
		}
		return ""
	})
}

func checkNodesProxy(m Meta, ctx *Context) []Finding {
	return eachGrant(m, ctx, func(g rbacGrant) string {
		if r := g.resource("nodes/proxy", "nodes/*"); r != "" && g.group("") && len(g.verbs) > 0 {
			return "can reach " + r + ": the kubelet API, which runs commands in every pod of the node"
		}
		return ""
	})
}

func checkTokenCreate(m Meta, ctx *Context) []Finding {
	return eachGrant(m, ctx, func(g rbacGrant) string {
		if r := g.resource("serviceaccounts/token", "serviceaccounts/*"); r != "" && g.group("") && g.verb("create") {
			return "can create tokens for ServiceAccounts (" + r + "): credentials with every account's permissions"
		}
		return ""
	})
}

func checkPortForward(m Meta, ctx *Context) []Finding {
	return eachGrant(m, ctx, func(g rbacGrant) string {
		if r := g.resource("pods/portforward", "pods/*"); r != "" && g.group("") && (g.verb("create") || g.verb("get")) {
			return "allows port-forward into pods: a tunnel to any pod's ports that NetworkPolicies do not see"
		}
		return ""
	})
}

// writeVerbs create or change an object.
var writeVerbs = []string{"create", "update", "patch"}

func (g rbacGrant) writes() string {
	for _, v := range writeVerbs {
		if g.verb(v) {
			return v
		}
	}
	return ""
}

func checkModifyWebhooks(m Meta, ctx *Context) []Finding {
	return eachGrant(m, ctx, func(g rbacGrant) string {
		r := g.resource("mutatingwebhookconfigurations", "validatingwebhookconfigurations")
		if v := g.writes(); r != "" && v != "" && g.group("admissionregistration.k8s.io") {
			return "can " + v + " " + r + ": it can put its own service in the path of every API request, and rewrite or refuse them"
		}
		return ""
	})
}

func checkApproveCSR(m Meta, ctx *Context) []Finding {
	return eachGrant(m, ctx, func(g rbacGrant) string {
		if r := g.resource("certificatesigningrequests/approval"); r != "" && (g.verb("update") || g.verb("patch")) && g.group("certificates.k8s.io") {
			return "can approve certificate signing requests: with approve on a signer it issues client certificates for other identities"
		}
		return ""
	})
}

func checkCreatePV(m Meta, ctx *Context) []Finding {
	return eachGrant(m, ctx, func(g rbacGrant) string {
		if r := g.resource("persistentvolumes"); r != "" && g.verb("create") && g.group("") {
			return "can create PersistentVolumes: a hostPath volume mounts any path of a node"
		}
		return ""
	})
}

func checkDeleteEvents(m Meta, ctx *Context) []Finding {
	return eachGrant(m, ctx, func(g rbacGrant) string {
		if r := g.resource("events"); r != "" && (g.verb("delete") || g.verb("deletecollection")) && g.group("", "events.k8s.io") {
			return "can delete Events: it can erase the trace of what happened in the cluster"
		}
		return ""
	})
}
