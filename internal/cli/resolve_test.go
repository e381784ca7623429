package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestGetByName: get and delete take an ID, a slug, an exact name or a name
// in any case; an ambiguous reference is an error listing the candidates.
func TestGetByName(t *testing.T) {
	loginTo(t, startServer(t))
	mustRun(t, "projects", "create", "Shop Front")
	mustRun(t, "projects", "create", "Shop", "--slug", "shop-a")
	mustRun(t, "projects", "create", "shop", "--slug", "shop-b")

	getField := func(field string, args ...string) string {
		t.Helper()
		var item map[string]any
		if err := json.Unmarshal([]byte(mustRun(t, append(args, "-o", "json")...)), &item); err != nil {
			t.Fatal(err)
		}
		return item[field].(string)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"orgs", "get", "Default"}, "default"},
		{[]string{"orgs", "get", "default"}, "default"},
		{[]string{"projects", "get", "Shop Front"}, "shop-front"},
		{[]string{"projects", "get", "shop front"}, "shop-front"},
		{[]string{"projects", "get", "shop-a"}, "shop-a"},
		{[]string{"projects", "get", "Shop"}, "shop-a"}, // exact name before any case
		{[]string{"projects", "get", "shop"}, "shop-b"},
	} {
		if got := getField("slug", c.args...); got != c.want {
			t.Errorf("%s: slug %q, want %q", strings.Join(c.args, " "), got, c.want)
		}
	}
	r := run(t, "", "projects", "get", "SHOP")
	if r.code != ExitError || !strings.Contains(r.err, "shop-a") || !strings.Contains(r.err, "shop-b") {
		t.Errorf("ambiguous SHOP: exit %d, stderr %q (want both candidates)", r.code, r.err)
	}

	mustRun(t, "envs", "create", "staging", "--project", "Shop Front")
	mustRun(t, "envs", "create", "staging", "--project", "shop-a")
	r = run(t, "", "envs", "get", "staging")
	if r.code != ExitError || strings.Count(r.err, "projectId") != 2 {
		t.Errorf("ambiguous env: exit %d, stderr %q", r.code, r.err)
	}
	r = run(t, "", "projects", "get", "Nope")
	if r.code != ExitError || !strings.Contains(r.err, `"Nope"`) {
		t.Errorf("unknown: exit %d, stderr %q", r.code, r.err)
	}
}
