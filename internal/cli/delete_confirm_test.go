package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCascadingDeleteNeedsConfirmation: deleting an organization says what
// goes with it and, without a terminal, refuses unless --yes is given.
func TestCascadingDeleteNeedsConfirmation(t *testing.T) {
	loginTo(t, startServer(t))
	mustRun(t, "projects", "create", "Shop Front")
	mustRun(t, "envs", "create", "staging", "--project", "shop-front")
	mustRun(t, "envs", "create", "production", "--project", "shop-front", "--kind", "production")
	mustRun(t, "services", "create", "api", "--project", "shop-front")

	r := run(t, "", "orgs", "delete", "default")
	if r.code != ExitUsage || !strings.Contains(r.err, "--yes") ||
		!strings.Contains(r.err, "1 project, 2 environments, 1 service, 0 deployments") {
		t.Fatalf("orgs delete without --yes: exit %d, stderr %q", r.code, r.err)
	}
	r = run(t, "", "envs", "delete", "staging")
	if r.code != ExitUsage || !strings.Contains(r.err, "0 deployments") {
		t.Fatalf("envs delete without --yes: exit %d, stderr %q", r.code, r.err)
	}
	var page struct{ Items []map[string]any }
	if err := json.Unmarshal([]byte(mustRun(t, "envs", "list", "-o", "json")), &page); err != nil || len(page.Items) != 2 {
		t.Fatalf("a refused delete removed something: %v %v", err, page.Items)
	}

	r = run(t, "", "projects", "delete", "Shop Front", "--yes")
	if r.code != 0 || !strings.Contains(r.err, "2 environments, 1 service, 0 deployments") || !strings.Contains(r.out, "deleted") {
		t.Fatalf("projects delete --yes: exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
	}
	if err := json.Unmarshal([]byte(mustRun(t, "envs", "list", "-o", "json")), &page); err != nil || len(page.Items) != 0 {
		t.Fatalf("after delete: %v %v", err, page.Items)
	}
}
