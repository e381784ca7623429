package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestUnknownSubcommandIsUsageError pins the exit-code contract (0 ok / 1
// error / 2 usage) for every command group: an unknown subcommand is a usage
// error, reported on one line.
func TestUnknownSubcommandIsUsageError(t *testing.T) {
	groups := [][]string{{}, {"orgs"}, {"projects"}, {"envs"}, {"services"}, {"deployments"},
		{"cost"}, {"dev"}, {"dev", "cluster"}, {"audit"}}
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
