package httpapi_test

import (
	"strings"
	"testing"
)

// TestListRejectsUnknownQueryParameter pins the list filters of issue 2
// (project, environment, status, as projectId, environmentId, status): a
// parameter the route does not declare, such as ?project=, is a 400 naming
// it, never an unfiltered list that a script would take as the filtered one.
func TestListRejectsUnknownQueryParameter(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	for _, path := range []string{"/api/v1/services?project=x", "/api/v1/deployments?environment=x", "/api/v1/projects?limit=5&bogus=1"} {
		r := e.do(t, call{method: "GET", path: path})
		if r.status != 400 || !strings.Contains(string(r.raw), "INVALID_PARAMETER") {
			t.Errorf("GET %s: %d %s, want 400 INVALID_PARAMETER", path, r.status, r.raw)
			continue
		}
		name := strings.SplitN(path[strings.LastIndex(path, "&")+1:], "=", 2)[0]
		if i := strings.Index(name, "?"); i >= 0 {
			name = name[i+1:]
		}
		if !strings.Contains(string(r.raw), `"field":"`+name+`"`) {
			t.Errorf("GET %s: error %s does not name %q", path, r.raw, name)
		}
	}
	for _, path := range []string{"/api/v1/services?projectId=x&status=running&limit=5", "/api/v1/deployments?environmentId=x&status=running"} {
		if r := e.do(t, call{method: "GET", path: path}); r.status == 400 {
			t.Errorf("GET %s: 400 %s, want the declared filters accepted", path, r.raw)
		}
	}
}
