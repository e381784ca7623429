package cli

import (
	"strings"
	"testing"
)

// TestPreviewUnknownKinds: `capsule preview` on sets holding an OpenShift
// DeploymentConfig (made privileged by the change), a Route, a
// CustomResourceDefinition with one of its objects and an Argo Rollout
// succeeds, judges the Rollout and the DeploymentConfig (whose pod template
// reads like a Deployment's) and names the rest as not assessed. The
// privileged DeploymentConfig trips --fail-on critical; nothing the
// preview could not judge ever does.
func TestPreviewUnknownKinds(t *testing.T) {
	const dir = "../preview/testdata/unknown-kinds/"
	code, out, errOut := runCLI(t, "preview", "--from", dir+"current", "--to", dir+"proposed", "--fail-on", "critical")
	if code != ExitPolicy || !strings.Contains(errOut, "reaches --fail-on critical") {
		t.Fatalf("--fail-on critical: exit %d, %s; want %d for the privileged DeploymentConfig", code, errOut, ExitPolicy)
	}
	for _, want := range []string{
		"Not assessed: 2 objects no risk rule could judge",
		"Route/web (route.openshift.io/v1, namespace team): a kind the risk rules do not know",
		"Widget/w1 (example.com/v1, namespace team)",
		"DeploymentConfig/legacy",
		"Rollout/canary",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Without the DeploymentConfig's finding in reach, the objects the
	// preview could not judge do not gate: only judged findings count.
	code, out, errOut = runCLI(t, "preview", "--from", dir+"current", "--to", dir+"current", "--fail-on", "low")
	if code != ExitOK || !strings.Contains(out, "Not assessed:") {
		t.Errorf("unchanged set with unknown kinds, --fail-on low: exit %d, %s\n%s", code, errOut, out)
	}
}
