package cli

import (
	"strings"
	"testing"
)

// TestPreviewUnknownKinds: `capsule preview` on sets holding an OpenShift
// DeploymentConfig (made privileged by the change), a Route, a
// CustomResourceDefinition with one of its objects and an Argo Rollout
// succeeds, judges the Rollout and names the rest as not assessed. The
// privileged DeploymentConfig is not judged, so it cannot trip --fail-on
// critical; only the Rollout running as root (high at most) is gated.
func TestPreviewUnknownKinds(t *testing.T) {
	const dir = "../preview/testdata/unknown-kinds/"
	code, out, errOut := runCLI(t, "preview", "--from", dir+"current", "--to", dir+"proposed", "--fail-on", "critical")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Not assessed: 3 objects no risk rule could judge",
		"DeploymentConfig/legacy (apps.openshift.io/v1, namespace team): a kind the risk rules do not know",
		"Route/web (route.openshift.io/v1, namespace team)",
		"Widget/w1 (example.com/v1, namespace team)",
		"Rollout/canary",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, _, errOut = runCLI(t, "preview", "--from", dir+"current", "--to", dir+"proposed", "--fail-on", "medium")
	if code != ExitPolicy || !strings.Contains(errOut, "reaches --fail-on medium") {
		t.Errorf("--fail-on medium: exit %d, %s; want %d for the Rollout running as root", code, errOut, ExitPolicy)
	}
}
