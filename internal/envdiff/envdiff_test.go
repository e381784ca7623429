package envdiff_test

import (
	"strings"
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/deploy"
	"github.com/usecapsule/capsule/internal/deployer"
	"github.com/usecapsule/capsule/internal/envdiff"
	"github.com/usecapsule/capsule/internal/envstate"
	"github.com/usecapsule/capsule/internal/manifest"
)

// rendered is web rendered for env as the deployer renders it (the
// namespace first), with the revision annotation the engine adds.
func rendered(t *testing.T, env *capsule.Environment, image string, revision string, cfg capsule.ServiceConfig) envstate.State {
	t.Helper()
	rev := &capsule.ServiceRevision{Number: 1, Type: capsule.ServiceWeb, Config: cfg}
	objs, err := deployer.Render("web", env.Name, env.Namespace, "shop", rev, image, "rolling", 2)
	if err != nil {
		t.Fatal(err)
	}
	us, err := deploy.FromRendered(objs)
	if err != nil {
		t.Fatal(err)
	}
	st := envstate.State{Source: envstate.SourceDeployment}
	for _, u := range us {
		if u.GetKind() != "Namespace" {
			u.SetNamespace(env.Namespace)
			u.SetAnnotations(map[string]string{"capsule.dev/revision": revision})
		}
		st.Objects = append(st.Objects, manifest.Object{Unstructured: u})
	}
	return st
}

// TestOnlyRealDifferencesRemain: the same service rendered for staging
// and production differs in namespace, environment label, instance name,
// host and revision, none of which is reported; a different image and a
// different variable are.
func TestOnlyRealDifferencesRemain(t *testing.T) {
	staging := &capsule.Environment{ID: "s", Name: "staging", Namespace: "shop-staging"}
	production := &capsule.Environment{ID: "p", Name: "production", Namespace: "shop-production"}
	cfg := func(env string) capsule.ServiceConfig {
		return capsule.ServiceConfig{Env: map[string]string{"LOG_LEVEL": "info", "DATABASE_HOST": "db." + env + ".internal"},
			Networking: capsule.Networking{Port: 8080, Public: true, Domains: []string{"web." + env + ".example.com"}}}
	}
	a := rendered(t, staging, "ghcr.io/acme/web:1.0", "7", cfg("staging"))
	b := rendered(t, production, "ghcr.io/acme/web:1.0", "2", cfg("production"))
	res, err := envdiff.Compare(staging, production, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Identical {
		t.Fatalf("the same service in two environments differs: %+v", res.Diff.Changes)
	}
	prodCfg := cfg("production")
	prodCfg.Env["LOG_LEVEL"] = "warn"
	b = rendered(t, production, "ghcr.io/acme/web:0.9", "2", prodCfg)
	res, err = envdiff.Compare(staging, production, a, b)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Diff.Changes {
		got = append(got, c.Resource+" "+c.Path)
	}
	want := []string{"ConfigMap/web-env /data/LOG_LEVEL", "Deployment/web /spec/template/spec/containers/0/image"}
	for _, w := range want {
		if !strings.Contains(strings.Join(got, "\n"), w) {
			t.Errorf("missing change %s in:\n%s", w, strings.Join(got, "\n"))
		}
	}
	for _, g := range got {
		if !strings.Contains(g, "LOG_LEVEL") && !strings.HasSuffix(g, "/image") {
			t.Errorf("unexpected change %s", g)
		}
	}
	if res.From.Environment != "staging" || res.To.Environment != "production" || res.Identical {
		t.Fatalf("sides: %+v %+v", res.From, res.To)
	}
}

// FuzzNeutral compares arbitrary manifests with themselves across two
// environments whose names the values may hold: never a panic, and a set
// is identical to itself.
func FuzzNeutral(f *testing.F) {
	f.Add("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a-staging, namespace: staging}\ndata: {h: staging.staging.example}\n", "staging", "ns")
	f.Add("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n", "", "x")
	f.Fuzz(func(t *testing.T, doc, name, ns string) {
		objs, err := manifest.Parse("a.yaml", []byte(doc))
		if err != nil {
			return
		}
		env := &capsule.Environment{Name: name, Namespace: ns}
		st := envstate.State{Objects: objs}
		res, err := envdiff.Compare(env, env, st, st)
		if err != nil {
			return
		}
		if !res.Identical {
			t.Fatalf("a set differs from itself: %+v", res.Diff.Changes)
		}
	})
}
