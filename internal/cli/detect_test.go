package cli

import (
	"bytes"
	"context"
	"encoding/json"
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

func TestDetectErrors(t *testing.T) {
	code, _, errOut := runDetectCLI(t, "detect", detectFixtures+"readme-only")
	if code != ExitError || !strings.Contains(errOut, "could not detect a deployable service") {
		t.Fatalf("unknown repo: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = runDetectCLI(t, "detect", detectFixtures+"node-malformed-package-json")
	if code != ExitError || !strings.Contains(errOut, "package.json:6") {
		t.Fatalf("malformed: exit %d, stderr %q", code, errOut)
	}
	code, _, _ = runDetectCLI(t, "detect", "-o", "xml")
	if code != ExitUsage {
		t.Fatalf("bad format: exit %d, want %d", code, ExitUsage)
	}
	// A broken member of a monorepo: the others are printed, the command fails.
	code, out, errOut := runDetectCLI(t, "detect", detectFixtures+"monorepo-broken-member", "-o", "json")
	if code != ExitError || !strings.Contains(out, `"good"`) || !strings.Contains(errOut, "apps/bad/package.json") {
		t.Fatalf("partial: exit %d\n%s\n%s", code, out, errOut)
	}
}
