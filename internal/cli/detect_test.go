package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const detectFixtures = "../detect/testdata/repos/"

func runDetectCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestDetectJSON(t *testing.T) {
	code, out, errOut := runDetectCLI(t, "detect", detectFixtures+"nextjs-pnpm", "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res struct {
		Services []map[string]any `json:"services"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if len(res.Services) != 1 || res.Services[0]["framework"] != "nextjs" || res.Services[0]["startCommand"] != "pnpm start" {
		t.Fatalf("got %s", out)
	}
}

func TestDetectTableAndYAML(t *testing.T) {
	code, out, _ := runDetectCLI(t, "detect", detectFixtures+"go-multi-cmd")
	if code != ExitOK || !strings.HasPrefix(out, "NAME") || !strings.Contains(out, "worker") {
		t.Fatalf("table: exit %d\n%s", code, out)
	}
	code, out, _ = runDetectCLI(t, "detect", detectFixtures+"spring-boot-maven", "-o", "yaml")
	if code != ExitOK || !strings.Contains(out, "healthCheckPath: /actuator/health") {
		t.Fatalf("yaml: exit %d\n%s", code, out)
	}
}

// TestDetectErrors: only a path that does not exist or is not a directory
// fails; everything found in a readable tree is printed with exit 0.
func TestDetectErrors(t *testing.T) {
	code, _, errOut := runDetectCLI(t, "detect", detectFixtures+"no-such-fixture")
	if code != ExitError || !strings.Contains(errOut, "no-such-fixture") {
		t.Fatalf("missing path: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runDetectCLI(t, "detect", detectFixtures+"readme-only/README.md")
	if code != ExitError || !strings.Contains(errOut, "is not a directory") {
		t.Fatalf("file path: exit %d, stderr %q", code, errOut)
	}
	code, _, _ = runDetectCLI(t, "detect", "-o", "xml")
	if code != ExitUsage {
		t.Fatalf("bad format: exit %d, want %d", code, ExitUsage)
	}
}

// TestDetectNeverFailsOnReadableTree: a broken manifest, a broken monorepo
// member or a repository with nothing deployable is a warning naming the
// file and line, the rest is printed, and the command exits 0.
func TestDetectNeverFailsOnReadableTree(t *testing.T) {
	code, out, errOut := runDetectCLI(t, "detect", detectFixtures+"node-malformed-package-json", "-o", "json")
	if code != ExitOK || !strings.Contains(errOut, "warning: package.json:6:3: invalid JSON") ||
		!strings.Contains(out, `"startCommand": "node index.js"`) {
		t.Fatalf("malformed: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runDetectCLI(t, "detect", detectFixtures+"monorepo-broken-member", "-o", "json")
	if code != ExitOK || !strings.Contains(out, `"good"`) || !strings.Contains(out, `"warnings"`) ||
		!strings.Contains(errOut, "warning: apps/bad/package.json:5:3: invalid JSON") {
		t.Fatalf("broken member: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runDetectCLI(t, "detect", detectFixtures+"readme-only", "-o", "json")
	var res struct {
		Services []map[string]any `json:"services"`
		Warnings []string         `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if code != ExitOK || len(res.Services) != 0 || len(res.Warnings) != 1 ||
		!strings.Contains(errOut, "warning: could not detect a deployable service") {
		t.Fatalf("nothing deployable: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runDetectCLI(t, "detect", detectFixtures+"procfile-malformed")
	if code != ExitOK || !strings.HasPrefix(out, "NAME") || !strings.Contains(errOut, "warning: Procfile:2:") {
		t.Fatalf("table: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestInitReportsBrokenManifest: init writes the configuration of what
// could be detected and names the file it could not parse.
func TestInitReportsBrokenManifest(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"package.json": "{\n  \"name\": \"shop\",\n<<<<<<< HEAD\n  \"version\": \"1.0.0\"\n=======\n  \"version\": \"1.1.0\"\n>>>>>>> main\n}\n",
		"yarn.lock":    "# yarn lockfile v1\n",
		"server.js":    "require('http').createServer(() => {}).listen(8080)\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, _, errOut := runDetectCLI(t, "init", dir)
	if code != ExitOK || !strings.Contains(errOut, "warning: package.json:3:1: invalid JSON") {
		t.Fatalf("init: exit %d, stderr %q", code, errOut)
	}
	spec, err := os.ReadFile(filepath.Join(dir, "capsule.yaml"))
	if err != nil || !strings.Contains(string(spec), "port: 8080") {
		t.Fatalf("capsule.yaml (%v):\n%s", err, spec)
	}
}
