package cli

import (
	"strings"
	"testing"
)

// TestPreviewGateJudgesNewFindings: promoting a set onto itself introduces
// nothing, so --fail-on low passes although the set has findings; with
// --fail-on-existing the unchanged findings count and the gate trips.
func TestPreviewGateJudgesNewFindings(t *testing.T) {
	same := []string{"preview", "--from", boutique + "current", "--to", boutique + "current", "-o", "text"}
	code, out, errOut := runCLI(t, append(same, "--fail-on", "low")...)
	if code != ExitOK {
		t.Fatalf("unchanged promotion, --fail-on low: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "unchanged") {
		t.Fatalf("the set has no unchanged findings, the test proves nothing:\n%s", out)
	}
	code, _, errOut = runCLI(t, append(same, "--fail-on", "low", "--fail-on-existing")...)
	if code != ExitPolicy || !strings.Contains(errOut, "new or unchanged finding") {
		t.Fatalf("--fail-on-existing: exit %d, stderr %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, append(same, "--fail-on-existing")...); code != ExitUsage || !strings.Contains(errOut, "--fail-on") {
		t.Fatalf("--fail-on-existing alone: exit %d, stderr %q", code, errOut)
	}
}

// TestPreviewHelpListsEveryExitCode: --fail-on bogus exits 2, so the help
// lists 2 beside 0, 1 and 3.
func TestPreviewHelpListsEveryExitCode(t *testing.T) {
	code, _, errOut := runCLI(t, "preview", "--from", boutique+"current", "--to", boutique+"current", "--fail-on", "bogus")
	if code != ExitUsage {
		t.Fatalf("--fail-on bogus: exit %d, %s", code, errOut)
	}
	_, help, _ := runCLI(t, "preview", "--help")
	for _, want := range []string{"0 success", "1 on errors", "2 on usage errors", "3 when --fail-on"} {
		if !strings.Contains(help, want) {
			t.Errorf("preview --help lacks %q", want)
		}
	}
}
