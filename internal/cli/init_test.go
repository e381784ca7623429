package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// smartRun runs the capsule command line and returns its exit code and
// output.
func smartRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// nextRepo writes a minimal Next.js repository (pnpm, Node 20).
func nextRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"package.json":   `{"name":"shop","scripts":{"build":"next build","start":"next start"},"dependencies":{"next":"14.2.0","react":"18.3.1"}}`,
		"pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
		".nvmrc":         "20\n",
		"app/page.tsx":   "export default function Page() { return null }\n",
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
	return dir
}

func TestInitWritesAndRefusesToOverwrite(t *testing.T) {
	dir := nextRepo(t)
	code, out, errOut := smartRun(t, "init", dir, "--dockerfile")
	if code != 0 {
		t.Fatalf("init: %d %s", code, errOut)
	}
	for _, f := range []string{"capsule.yaml", "Dockerfile", ".dockerignore"} {
		if !strings.Contains(out, filepath.Join(dir, f)) {
			t.Errorf("init did not report %s: %s", f, out)
		}
	}
	spec, _ := os.ReadFile(filepath.Join(dir, "capsule.yaml"))
	if !strings.Contains(string(spec), "framework: nextjs") || !strings.Contains(string(spec), "port: 3000") {
		t.Errorf("capsule.yaml:\n%s", spec)
	}
	df, _ := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if !strings.Contains(string(df), "ARG NODE_VERSION=20") || !strings.Contains(string(df), "pnpm install --frozen-lockfile") {
		t.Errorf("Dockerfile:\n%s", df)
	}
	if err := os.WriteFile(filepath.Join(dir, "capsule.yaml"), []byte("name: mine\ntype: web\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = smartRun(t, "init", dir)
	if code != 1 || !strings.Contains(errOut, "use --force") {
		t.Fatalf("second init: %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "capsule.yaml")); string(b) != "name: mine\ntype: web\n" {
		t.Fatal("init overwrote capsule.yaml without --force")
	}
	if code, _, errOut = smartRun(t, "init", dir, "--force"); code != 0 {
		t.Fatalf("init --force: %d %s", code, errOut)
	}
}

func TestDockerfileHonoursExisting(t *testing.T) {
	dir := nextRepo(t)
	code, out, _ := smartRun(t, "dockerfile", dir, "--stdout")
	if code != 0 || !strings.HasPrefix(out, "# syntax=docker/dockerfile:1") {
		t.Fatalf("--stdout: %d %.100s", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "Dockerfile")); err == nil {
		t.Fatal("--stdout wrote a file")
	}
	mine := "FROM scratch\nEXPOSE 3000\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(mine), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := smartRun(t, "dockerfile", dir)
	if code != 1 || !strings.Contains(errOut, "--force") {
		t.Fatalf("dockerfile over an existing one: %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(b) != mine {
		t.Fatal("the repository's Dockerfile was replaced without --force")
	}
	if code, _, errOut = smartRun(t, "dockerfile", dir, "--force"); code != 0 {
		t.Fatalf("--force: %d %s", code, errOut)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(b) == mine {
		t.Fatal("--force kept the old Dockerfile")
	}
}

func TestSmartDeployUnknownService(t *testing.T) {
	code, _, errOut := smartRun(t, "dockerfile", nextRepo(t), "--service", "nope")
	if code != 2 || !strings.Contains(errOut, `no service "nope"`) {
		t.Fatalf("%d %s", code, errOut)
	}
}
