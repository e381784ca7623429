package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	capsule "github.com/usecapsule/capsule"
)

// loginTo signs the CLI in to a started server with a fresh config file.
func loginTo(t *testing.T, url string) {
	t.Helper()
	t.Setenv("CAPSULE_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	t.Setenv("CAPSULE_API_KEY", "")
	t.Setenv("CAPSULE_PASSWORD", testPassword)
	mustRun(t, "login", "--server", url)
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// subset reports the first value of want (a decoded file) that got (the
// object the server returns) does not carry, by its dotted path.
func subset(want, got any, path string) string {
	if wm, ok := want.(map[string]any); ok {
		gm, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %v, want an object", path, got)
		}
		for k, v := range wm {
			if d := subset(v, gm[k], path+"."+k); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("%s: got %v, want %v", path, got, want)
	}
	return ""
}

// TestCreateFromFileRoundTrips: every field of each resource's file form
// reaches the server, even where a flag has a default (a worker's type, an
// environment's kind, a project's slug).
func TestCreateFromFileRoundTrips(t *testing.T) {
	loginTo(t, startServer(t))
	files := []struct{ verb, file string }{
		{"orgs", `{"name": "Acme Corp", "slug": "acme", "settings": {"defaultRegion": "eu-west-1"}}`},
		{"projects", "name: Shop Front\nslug: storefront\nrepository:\n  url: https://github.com/acme/shop\n  branch: trunk\nsettings:\n  team: web\n"},
		{"envs", "name: prod\nprojectId: storefront\nkind: production\nnamespace: shop-prod\ndeliveryMode: gitops\napprovalPolicy:\n  requiredApprovals: 2\n  approverRoles: [admin]\n"},
		{"services", `name: queue-worker
projectId: storefront
type: worker
source:
  image: ghcr.io/acme/worker:1.4.2
  startCommand: bin/worker --queue default
configuration:
  env: {QUEUE: default}
  resources: {cpuRequest: 250m, memoryRequest: 256Mi}
  scaling: {minReplicas: 3, maxReplicas: 6, targetCPUPercent: 70}
  networking: {port: 9090}
  strategy: {type: recreate}
`},
	}
	for _, f := range files {
		path := writeFile(t, f.verb+".yaml", f.file)
		var item map[string]any
		if err := json.Unmarshal([]byte(mustRun(t, f.verb, "create", "-f", path, "-o", "json")), &item); err != nil {
			t.Fatal(err)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(mustRun(t, f.verb, "get", fmt.Sprint(item["id"]), "-o", "json")), &got); err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := json.Unmarshal(yamlToJSON(t, f.file), &want); err != nil {
			t.Fatal(err)
		}
		if ref, ok := want["projectId"]; ok && ref == "storefront" {
			want["projectId"] = got["projectId"] // the file named its project by slug
		}
		if d := subset(want, got, f.verb); d != "" {
			t.Errorf("%s create -f dropped a field: %s", f.verb, d)
		}
	}

	// A flag given on the command line overrides the file's field; one left
	// at its default does not.
	path := writeFile(t, "svc.yaml", "name: api\nprojectId: storefront\ntype: worker\nconfiguration: {networking: {port: 9090}}\n")
	out := mustRun(t, "services", "create", "-f", path, "--port", "8080", "-o", "json")
	if !strings.Contains(out, `"port": 8080`) || !strings.Contains(out, `"type": "worker"`) {
		t.Errorf("flag over file:\n%s", out)
	}
}

// TestCreateFromFileRefusesUnknownFields: a field the resource does not
// have, or one the server assigns, fails the command naming the field and
// the file, before anything is sent.
func TestCreateFromFileRefusesUnknownFields(t *testing.T) {
	t.Setenv("CAPSULE_CONFIG", filepath.Join(t.TempDir(), "none.yaml"))
	for _, c := range []struct{ verb, body, want string }{
		{"services", "name: api\nconfiguration:\n  scaling: {minReplica: 2}\n", `unknown field "configuration.scaling.minReplica"`},
		{"envs", "name: prod\ncluster: c1\n", `unknown field "cluster"`},
		{"projects", "name: p\nid: 5f1b2c3d-0000-0000-0000-000000000000\n", `field "id" is assigned by the server`},
		{"orgs", "name: o\nslug: 7\n", `slug`},
	} {
		path := writeFile(t, "f.yaml", c.body)
		r := run(t, "", c.verb, "create", "-f", path)
		if r.code != ExitUsage || !strings.Contains(r.err, c.want) || !strings.Contains(r.err, path) {
			t.Errorf("%s create -f with %q: exit %d, stderr %q (want %q and the file name)", c.verb, c.body, r.code, r.err, c.want)
		}
	}
}

func yamlToJSON(t *testing.T, s string) []byte {
	t.Helper()
	js, err := yaml.YAMLToJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// FuzzReadBodyFile: any file either reads into a body the server's type
// accepts or fails with an error naming the file; nothing panics.
func FuzzReadBodyFile(f *testing.F) {
	f.Add([]byte("name: api\ntype: worker\nconfiguration: {scaling: {minReplicas: 2}, networking: {port: 9090}}\n"))
	f.Add([]byte("name: api\nconfiguration: {scaling: {minReplica: 2}}\n"))
	f.Add([]byte("name: p\nid: x\n"))
	f.Add([]byte("[1, 2]"))
	f.Add([]byte("configuration: {env: {A: {b: 1}}}"))
	f.Add([]byte("source: 5\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "svc.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		body, err := readBodyFile(path, new(capsule.Service))
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		js, err := json.Marshal(body)
		if err != nil {
			t.Fatalf("body does not encode: %v", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(js)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(new(capsule.Service)); err != nil {
			t.Fatalf("accepted body is refused by the server's decoding: %v\n%s", err, js)
		}
	})
}
