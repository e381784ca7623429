package diff

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/manifest"
)

func parse(t *testing.T, s string) []manifest.Object {
	t.Helper()
	objs, err := manifest.Parse("t.yaml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestSecretValuesNeverAppear(t *testing.T) {
	secrets := []string{"hunter2", "s3cret-NEW", "brand-new-token", "app"}
	res := computeCase(t, "testdata/secrets")
	var all bytes.Buffer
	js, _ := json.Marshal(res)
	all.Write(js)
	_ = RenderText(&all, res, TextOptions{Color: true})
	_ = RenderMarkdown(&all, res)
	for _, s := range secrets[:3] {
		for _, form := range []string{s, base64.StdEncoding.EncodeToString([]byte(s))} {
			if strings.Contains(all.String(), form) {
				t.Errorf("output contains secret value %q", form)
			}
		}
	}
}

func TestAddedSecretRedacted(t *testing.T) {
	res, err := Compute(nil, parse(t, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: topsecret}\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_ = RenderText(&out, res, TextOptions{})
	if strings.Contains(out.String(), "topsecret") || !strings.Contains(out.String(), "k: (redacted)") {
		t.Errorf("added secret rendered as:\n%s", out.String())
	}
}

func TestAmbiguousWithoutNamespace(t *testing.T) {
	objs := parse(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: b}\n")
	_, err := Compute(objs, nil, Options{})
	if err == nil || !strings.Contains(err.Error(), "ConfigMap/c is ambiguous") || !strings.Contains(err.Error(), "t.yaml (document 1)") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Compute(objs, nil, Options{MatchNamespace: true}); err != nil {
		t.Fatalf("with MatchNamespace: %v", err)
	}
}

func TestBadIgnoreRule(t *testing.T) {
	for _, r := range []IgnoreRule{{Group: "apps"}, {Kind: "Deployment", JSONPointers: []string{"spec/replicas"}},
		{Kind: "Deployment", JQPathExpressions: []string{".spec.replicas"}}} {
		if _, err := Compute(nil, nil, Options{Ignore: []IgnoreRule{r}}); err == nil {
			t.Errorf("rule %+v accepted", r)
		}
	}
}

func TestEqualByValue(t *testing.T) {
	a := parse(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: w}
spec:
  replicas: 2
  template:
    spec:
      containers:
      - {name: c, image: "x:latest", imagePullPolicy: Always, resources: {requests: {cpu: 0.5, memory: 1073741824}}}
      - {name: d, image: "x", ports: [{containerPort: 80, protocol: TCP}]}
`)
	b := parse(t, `apiVersion: apps/v1
kind: Deployment
metadata: {name: w}
spec:
  replicas: 2.0
  template:
    spec:
      containers:
      - {name: d, image: "x", imagePullPolicy: Always, ports: [{containerPort: 80}]}
      - {name: c, image: "x:latest", resources: {requests: {cpu: 500m, memory: 1Gi}}}
`)
	res, err := Compute(a, b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Modified) != 0 || len(res.Changes) != 0 {
		t.Fatalf("want no change, got %+v", res.Changes)
	}
}

func TestImpliedPullPolicy(t *testing.T) {
	for img, want := range map[string]string{
		"nginx": "Always", "nginx:latest": "Always", "nginx:1.27": "IfNotPresent",
		"reg:5000/app": "Always", "reg:5000/app:v2": "IfNotPresent", "app@sha256:abc": "IfNotPresent",
	} {
		if got := impliedPullPolicy(img); got != want {
			t.Errorf("%s: got %s, want %s", img, got, want)
		}
	}
}

func TestColorToggle(t *testing.T) {
	res := computeCase(t, "testdata/basic")
	var plain, color bytes.Buffer
	_ = RenderText(&plain, res, TextOptions{})
	_ = RenderText(&color, res, TextOptions{Color: true})
	if strings.Contains(plain.String(), "\x1b[") || !strings.Contains(color.String(), ansiRed+"-  replicas: 3"+ansiReset) {
		t.Errorf("colour toggle broken:\n%s", color.String())
	}
}

func TestControlledObjectsLeftOut(t *testing.T) {
	cur := parse(t, "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: web-1\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: web, uid: u, controller: true}]\n")
	res, err := Compute(cur, nil, Options{})
	if err != nil || len(res.Removed) != 0 {
		t.Fatalf("removed = %v, err = %v", res.Removed, err)
	}
}
