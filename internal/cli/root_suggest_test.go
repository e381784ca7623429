package cli

import (
	"testing"
)

// TestSuggestionsReadOnOneLine: cobra's "Did you mean this?" block becomes
// a clause of the one error line instead of fragments joined by "; ".
func TestSuggestionsReadOnOneLine(t *testing.T) {
	code, _, errOut := runCLI(t, "previw")
	want := "error: unknown command \"previw\" for \"capsule\" (did you mean \"preview\"?)\n"
	if code != ExitUsage || errOut != want {
		t.Fatalf("exit %d, stderr %q, want %q", code, errOut, want)
	}
	if got := foldSuggestions("unknown command \"x\" for \"capsule\"\n\nDid you mean this?\n\tenvs\n\tenv\n"); got != `unknown command "x" for "capsule" (did you mean "envs" or "env"?)` {
		t.Fatalf("two suggestions: %q", got)
	}
}
