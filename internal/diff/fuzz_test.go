package diff

import (
	"bytes"
	"testing"

	"github.com/usecapsule/capsule/internal/manifest"
)

// FuzzCompute diffs two arbitrary manifest documents: whatever the loader
// accepts, Compute and the renderers must not panic, and a set compared
// with itself has no changes. (Redaction is checked by
// TestSecretValuesNeverAppear, where the secret values are known.)
func FuzzCompute(f *testing.F) {
	f.Add("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: 2}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: 3, template: {spec: {containers: [{name: c, image: x}]}}}\n")
	f.Add("apiVersion: v1\nkind: Secret\nmetadata: {name: s, annotations: {a: pw}}\ndata: {k: cHc=}\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: pw2}\n")
	f.Add("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}, {port: 80}]}\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, targetPort: 80, protocol: TCP}]}\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		cur, errA := manifest.Parse("a.yaml", []byte(a))
		prop, errB := manifest.Parse("b.yaml", []byte(b))
		if errA != nil || errB != nil {
			return
		}
		res, err := Compute(cur, prop, Options{MatchNamespace: true})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		_ = RenderText(&out, res, TextOptions{Color: true})
		_ = RenderMarkdown(&out, res)
		same, err := Compute(cur, cur, Options{MatchNamespace: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(same.Changes) != 0 || len(same.Added)+len(same.Removed)+len(same.Modified) != 0 {
			t.Fatalf("a set differs from itself: %+v", same.Changes)
		}
	})
}
