package risk

// Bindings whose subjects are everyone: the anonymous user and the
// unauthenticated group reach the API without credentials, and
// system:authenticated holds every user and every ServiceAccount of the
// cluster (any pod's token). Whatever such a binding grants, it grants to
// all of them. Bindings the cluster owns (system: names, such as the
// public-info-viewer binding to system:unauthenticated) are not judged.

func init() {
	register(setRule{Meta{"rbac-binding-everyone", "rbac", 9}, checkEveryoneBindings})
}

func checkEveryoneBindings(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, b := range bindings(ctx.Set) {
		for i, s := range sliceAt(b.Object, "subjects") {
			sm, _ := s.(map[string]any)
			kind, name := stringAt(sm, "kind"), stringAt(sm, "name")
			path := "/subjects/" + itoa(int64(i))
			switch {
			case kind == "User" && name == "system:anonymous", kind == "Group" && name == "system:unauthenticated":
				out = append(out, m.finding(Key(b), path, "%s grants %s to %s: anyone who can reach the API server, without credentials", Key(b), stringAt(b.Object, "roleRef", "name"), name))
			case kind == "Group" && name == "system:authenticated":
				f := m.finding(Key(b), path, "%s grants %s to system:authenticated: every user and every ServiceAccount of the cluster", Key(b), stringAt(b.Object, "roleRef", "name"))
				f.Severity = 8
				out = append(out, f)
			}
		}
	}
	return out
}
