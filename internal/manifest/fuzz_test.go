package manifest

import (
	"errors"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
		"---\n# c\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w, namespace: n}\nspec: {replicas: 2}\n",
		"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n",
		"kind: [\n",
		"--- !!map\n? a\n: b\n",
		"a: &x [*x]\n",
		"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := Parse("fuzz.yaml", data)
		if err != nil {
			if objs != nil {
				t.Fatal("objects returned together with an error")
			}
			var le LoadErrors
			if !errors.As(err, &le) || len(le) == 0 {
				t.Fatalf("error is not a LoadErrors: %v", err)
			}
			return
		}
		seen := map[ID]bool{}
		for _, o := range objs {
			if o.GetKind() == "" || o.GetName() == "" || o.GetAPIVersion() == "" {
				t.Fatalf("object without identity accepted: %v", o.Object)
			}
			if seen[o.ID()] {
				t.Fatalf("duplicate accepted: %v", o.ID())
			}
			seen[o.ID()] = true
		}
	})
}
