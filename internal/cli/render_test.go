package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRenderFromDetectionAndFromFile(t *testing.T) {
	dir := nextRepo(t)
	code, out, errOut := smartRun(t, "render", dir, "--env", "production")
	if code != 0 {
		t.Fatalf("render from detection: %d %s", code, errOut)
	}
	for _, want := range []string{"kind: Deployment", "kind: Service", "kind: NetworkPolicy", "/app/.next/cache"} {
		if !strings.Contains(out, want) {
			t.Errorf("render output lacks %q", want)
		}
	}
	spec := "name: shop\ntype: web\nframework: nextjs\nport: 3000\nenvironments:\n  production:\n    scaling: {minReplicas: 2, maxReplicas: 4}\n    ingress: {host: shop.example.com, issuer: letsencrypt}\n"
	if err := os.WriteFile(filepath.Join(dir, "capsule.yaml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = smartRun(t, "render", dir, "--env", "production", "-o", "json", "-n", "shop", "--image", "ghcr.io/acme/shop:1.0.0")
	if code != 0 {
		t.Fatalf("render from capsule.yaml: %d %s", code, errOut)
	}
	var list struct {
		Kind  string `json:"kind"`
		Items []struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Namespace string `json:"namespace"`
			} `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	if len(list.Items) == 0 || list.Items[0].Kind != "Namespace" {
		t.Fatalf("-n shop: the first object is not the Namespace: %v", list.Items)
	}
	for _, it := range list.Items[1:] {
		kinds[it.Kind] = true
		if it.Metadata.Namespace != "shop" {
			t.Errorf("%s in namespace %q", it.Kind, it.Metadata.Namespace)
		}
	}
	for _, k := range []string{"Deployment", "Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy"} {
		if !kinds[k] {
			t.Errorf("no %s in %v", k, kinds)
		}
	}
	code, _, errOut = smartRun(t, "render", filepath.Join(dir, "capsule.yaml"), "--env", "pr-7")
	if code != 0 || !strings.Contains(errOut, `no environment "pr-7"`) {
		t.Errorf("unknown environment: %d %s", code, errOut)
	}
}

func TestRenderReportsFileLineAndField(t *testing.T) {
	dir := t.TempDir()
	bad := "name: shop\ntype: web\nscaling:\n  minReplicas: 3\n  maxReplicas: 2\n"
	if err := os.WriteFile(filepath.Join(dir, "capsule.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := smartRun(t, "render", dir)
	if code != 1 || !strings.Contains(errOut, "capsule.yaml:5: scaling.maxReplicas:") {
		t.Fatalf("%d %s", code, errOut)
	}
	if code, _, _ := smartRun(t, "render", dir, "-o", "table"); code != 2 {
		t.Errorf("-o table: exit %d, want 2", code)
	}
	if code, _, errOut := smartRun(t, "render", dir, "--env", "Prod Env"); code != 2 || !strings.Contains(errOut, "not an environment name") {
		t.Errorf("--env 'Prod Env': exit %d %s", code, errOut)
	}
}

// TestRenderMonorepoUsesMemberFiles renders a workspace whose members have
// their own capsule.yaml (as capsule init writes them) from the root.
func TestRenderMonorepoUsesMemberFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"package.json":            `{"name":"mono","private":true,"workspaces":["apps/*"]}`,
		"package-lock.json":       "{}",
		"apps/api/package.json":   `{"name":"api","scripts":{"start":"node index.js"},"dependencies":{"express":"4.19.0"}}`,
		"apps/api/index.js":       "require('express')().listen(4000)\n",
		"apps/api/capsule.yaml":   "name: api\ntype: api\nport: 4000\nimage: ghcr.io/acme/api:7.0.0\n",
		"apps/admin/package.json": `{"name":"admin","scripts":{"start":"node server.js"},"dependencies":{"fastify":"4.0.0"}}`,
		"apps/admin/server.js":    "require('fastify')().listen({port: 5000})\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := smartRun(t, "render", dir)
	if code != 0 {
		t.Fatalf("%d %s", code, errOut)
	}
	if !strings.Contains(out, "image: ghcr.io/acme/api:7.0.0") {
		t.Error("the member's capsule.yaml was not used")
	}
	if !strings.Contains(out, "name: admin") {
		t.Error("the member without capsule.yaml was not rendered from detection")
	}
}
