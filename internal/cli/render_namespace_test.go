package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRenderNamespaceFirst: with -n the stream starts with the Namespace,
// enforcing the restricted Pod Security Standard, so it applies to a fresh
// cluster; --no-namespace leaves it out, and without -n there is none.
func TestRenderNamespaceFirst(t *testing.T) {
	dir := t.TempDir()
	spec := "name: shop\ntype: web\nport: 8080\nimage: ghcr.io/acme/shop:1.0.0\n"
	if err := os.WriteFile(filepath.Join(dir, "capsule.yaml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "render", dir, "-n", "shop")
	if code != 0 {
		t.Fatalf("render -n shop: exit %d: %s", code, errOut)
	}
	first, _, _ := strings.Cut(out, "\n---\n")
	for _, want := range []string{"kind: Namespace", "name: shop", "pod-security.kubernetes.io/enforce: restricted"} {
		if !strings.Contains(first, want) {
			t.Errorf("first document lacks %q:\n%s", want, first)
		}
	}
	if strings.Count(out, "kind: Namespace") != 1 {
		t.Errorf("want exactly one Namespace:\n%s", out)
	}
	_, out, _ = runCLI(t, "render", dir, "-n", "shop", "--no-namespace")
	if strings.Contains(out, "kind: Namespace") || !strings.Contains(out, "namespace: shop") {
		t.Errorf("--no-namespace:\n%s", out)
	}
	if _, out, _ = runCLI(t, "render", dir); strings.Contains(out, "kind: Namespace") {
		t.Errorf("without -n:\n%s", out)
	}
}
