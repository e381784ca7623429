package risk

import "github.com/usecapsule/capsule/internal/manifest"

// An object whose apiVersion does not serve its kind ("apiVersion: v1" on a
// Deployment, a typo in the kind) is refused by the API server, so the
// whole apply of the promotion fails on it. It shares the deprecated-api
// category with removed versions: both are an apiVersion the target
// cluster will not accept.

func init() {
	register(setRule{Meta{"api-rejected", "deprecated-api", 8}, checkUnserved})
}

func checkUnserved(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, o := range ctx.Set.Objects {
		if err := manifest.Unserved(o.GetAPIVersion(), o.GetKind()); err != nil {
			out = append(out, m.finding(Key(o), "/apiVersion", "the API server will reject %s: %v", Key(o), err))
		}
	}
	return out
}
