package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUnknownSubcommandIsUsageError pins the exit-code contract (0 ok / 1
// error / 2 usage) for every command group: an unknown subcommand is a usage
// error, reported on one line.
func TestUnknownSubcommandIsUsageError(t *testing.T) {
	groups := [][]string{{}, {"orgs"}, {"projects"}, {"envs"}, {"services"}, {"deployments"},
		{"cost"}, {"dev"}, {"dev", "cluster"}, {"audit"}, {"users"}}
	for _, g := range groups {
		args := append(append([]string{}, g...), "bogus")
		var out, errOut bytes.Buffer
		code := Main(context.Background(), args, strings.NewReader(""), &out, &errOut)
		if code != ExitUsage {
			t.Errorf("capsule %s: exit code %d, want %d (stderr %q)", strings.Join(args, " "), code, ExitUsage, errOut.String())
		}
		if !strings.Contains(errOut.String(), `unknown command "bogus"`) {
			t.Errorf("capsule %s: stderr %q does not name the unknown command", strings.Join(args, " "), errOut.String())
		}
	}
}

// TestErrorsAreOneLine pins "errors as one clear line": a multi-line error
// (here the schema violations of an invalid capsule.yaml, one per line) is
// printed as a single "error: ..." line naming every problem.
func TestErrorsAreOneLine(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "capsule.yaml"), []byte("name: api\ntype: webby\nport: \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := Main(context.Background(), []string{"render", dir, "--env", "staging"}, strings.NewReader(""), &out, &errOut)
	if code != ExitError {
		t.Fatalf("exit code %d, want %d", code, ExitError)
	}
	got := errOut.String()
	if strings.Count(got, "\n") != 1 || !strings.HasPrefix(got, "error: ") {
		t.Fatalf("stderr is not one error line: %q", got)
	}
	for _, want := range []string{"capsule.yaml:2: type", "capsule.yaml:3: port"} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr %q does not name %q", got, want)
		}
	}
}

func TestSingleLine(t *testing.T) {
	in := "opening the store: ping postgres: failed to connect:\n\t127.0.0.1:1: refused\n\t127.0.0.1:1: refused\n"
	want := "opening the store: ping postgres: failed to connect; 127.0.0.1:1: refused; 127.0.0.1:1: refused"
	if got := singleLine(in); got != want {
		t.Errorf("singleLine = %q, want %q", got, want)
	}
}
