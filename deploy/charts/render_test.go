package charts

import (
	"strings"
	"testing"
)

// dig walks nested maps and lists (ints index lists).
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// envNames lists the container's environment variable names.
func envNames(dep object) map[string]any {
	out := map[string]any{}
	env, _ := dig(map[string]any(dep), "spec", "template", "spec", "containers", 0, "env").([]any)
	for _, e := range env {
		m, _ := e.(map[string]any)
		name, _ := m["name"].(string)
		if m["value"] != nil {
			out[name] = m["value"]
		} else {
			out[name] = dig(m, "valueFrom", "secretKeyRef", "name")
		}
	}
	return out
}

func has(objs map[string]object, keys ...string) []string {
	var missing []string
	for _, k := range keys {
		if _, ok := objs[k]; !ok {
			missing = append(missing, k)
		}
	}
	return missing
}

func TestControlPlaneDefaults(t *testing.T) {
	t.Parallel()
	objs := mustRender(t, controlChart, nil)
	if m := has(objs, "Deployment/rel-capsule", "Service/rel-capsule", "Secret/rel-capsule-keys", "PersistentVolumeClaim/rel-capsule-data"); m != nil {
		t.Fatalf("missing %v in %v", m, keys(objs))
	}
	if _, ok := objs["Ingress/rel-capsule"]; ok {
		t.Error("an Ingress without ingress.enabled")
	}
	dep := objs["Deployment/rel-capsule"]
	spec := map[string]any(dep)
	if got := dig(spec, "spec", "strategy", "type"); got != "Recreate" {
		t.Errorf("SQLite strategy %v, want Recreate", got)
	}
	c := dig(spec, "spec", "template", "spec", "containers", 0)
	for path, want := range map[string]any{
		"livenessProbe.httpGet.path": "/healthz", "readinessProbe.httpGet.path": "/readyz",
		"securityContext.readOnlyRootFilesystem": true, "securityContext.allowPrivilegeEscalation": false,
		"securityContext.runAsNonRoot": true, "securityContext.seccompProfile.type": "RuntimeDefault",
		"securityContext.capabilities.drop.0": "ALL",
	} {
		var p []any
		for _, s := range strings.Split(path, ".") {
			if s == "0" {
				p = append(p, 0)
			} else {
				p = append(p, s)
			}
		}
		if got := dig(c, p...); got != want {
			t.Errorf("container %s = %v, want %v", path, got, want)
		}
	}
	if dig(c, "resources", "limits", "memory") == nil || dig(c, "resources", "requests", "cpu") == nil {
		t.Error("no resources")
	}
	env := envNames(dep)
	if env["CAPSULE_MASTER_KEY"] != "rel-capsule-keys" || env["CAPSULE_JWT_KEY"] != "rel-capsule-keys" {
		t.Errorf("keys not from the keys Secret: %v", env)
	}
	if _, ok := env["CAPSULE_DATABASE_URL"]; ok {
		t.Error("a database URL with SQLite")
	}
	for _, k := range []string{"masterKey", "jwtKey"} {
		if dig(map[string]any(objs["Secret/rel-capsule-keys"]), "data", k) == "" {
			t.Errorf("no generated %s", k)
		}
	}
}

func TestControlPlaneReplicasNeedPostgres(t *testing.T) {
	t.Parallel()
	_, err := render(t, controlChart, map[string]any{"replicas": 2})
	if err == nil || !strings.Contains(err.Error(), "replicas is 2 but the store is SQLite: more than one replica needs PostgreSQL") {
		t.Fatalf("replicas 2 with SQLite: %v, want the PostgreSQL message", err)
	}
	_, err = render(t, controlChart, map[string]any{"database": map[string]any{"url": "mysql://x"}})
	if err == nil || !strings.Contains(err.Error(), "database.url must be a postgres://") {
		t.Fatalf("a mysql URL: %v", err)
	}
	objs := mustRender(t, controlChart, map[string]any{"replicas": 3, "database": map[string]any{"existingSecret": "db"},
		"keys":    map[string]any{"existingSecret": "mykeys"},
		"ingress": map[string]any{"enabled": true, "host": "capsule.test", "tls": map[string]any{"secretName": "tls"}}})
	dep := map[string]any(objs["Deployment/rel-capsule"])
	if dig(dep, "spec", "replicas") != float64(3) || dig(dep, "spec", "strategy", "type") != "RollingUpdate" {
		t.Errorf("replicas %v strategy %v", dig(dep, "spec", "replicas"), dig(dep, "spec", "strategy", "type"))
	}
	env := envNames(objs["Deployment/rel-capsule"])
	if env["CAPSULE_DATABASE_URL"] != "db" || env["CAPSULE_MASTER_KEY"] != "mykeys" {
		t.Errorf("env %v", env)
	}
	if m := has(objs, "Ingress/rel-capsule"); m != nil {
		t.Errorf("missing %v", m)
	}
	for _, k := range []string{"PersistentVolumeClaim/rel-capsule-data", "Secret/rel-capsule-keys", "Secret/rel-capsule-database"} {
		if _, ok := objs[k]; ok {
			t.Errorf("%s rendered with PostgreSQL and existing Secrets", k)
		}
	}
	if got := dig(map[string]any(objs["Ingress/rel-capsule"]), "spec", "tls", 0, "hosts", 0); got != "capsule.test" {
		t.Errorf("ingress tls host %v", got)
	}
}

func TestAgentRender(t *testing.T) {
	t.Parallel()
	objs := mustRender(t, agentChart, agentValues())
	name := "rel-capsule-agent"
	if m := has(objs, "ServiceAccount/"+name, "ClusterRole/"+name, "ClusterRoleBinding/"+name, "Deployment/"+name,
		"Secret/"+name+"-join-token", "PersistentVolumeClaim/"+name+"-state"); m != nil {
		t.Fatalf("missing %v in %v", m, keys(objs))
	}
	dep := objs["Deployment/"+name]
	env := envNames(dep)
	if env["CAPSULE_SERVER"] != "https://capsule.example.com" || env["CAPSULE_AGENT_TOKEN"] != name+"-join-token" || env["CAPSULE_AGENT_STATE_FILE"] == nil {
		t.Errorf("env %v", env)
	}
	if got := dig(map[string]any(dep), "spec", "replicas"); got != float64(1) {
		t.Errorf("replicas %v", got)
	}
	if got := dig(map[string]any(objs["Secret/"+name+"-join-token"]), "stringData", "token"); got != "cjt_example" {
		t.Errorf("token Secret holds %v", got)
	}

	_, err := render(t, agentChart, map[string]any{"joinToken": "x"})
	if err == nil || !strings.Contains(err.Error(), "server is required") {
		t.Errorf("no server: %v", err)
	}
	_, err = render(t, agentChart, map[string]any{"server": "https://x"})
	if err == nil || !strings.Contains(err.Error(), "joinToken is required") {
		t.Errorf("no token: %v", err)
	}

	objs = mustRender(t, agentChart, map[string]any{"server": "https://x", "existingSecret": "tok", "persistence": map[string]any{"enabled": false},
		"egressAllow": "10.0.0.0/8", "helmPayload": true})
	dep = objs["Deployment/"+name]
	if _, ok := objs["Secret/"+name+"-join-token"]; ok {
		t.Error("a token Secret with existingSecret")
	}
	if _, ok := objs["PersistentVolumeClaim/"+name+"-state"]; ok {
		t.Error("a PVC without persistence")
	}
	if dig(map[string]any(dep), "spec", "template", "spec", "volumes", 0, "emptyDir") == nil {
		t.Error("the state volume is not an emptyDir without persistence")
	}
	env = envNames(dep)
	if env["CAPSULE_AGENT_TOKEN"] != "tok" || env["CAPSULE_EGRESS_ALLOW"] != "10.0.0.0/8" {
		t.Errorf("env %v", env)
	}
	args := dig(map[string]any(dep), "spec", "template", "spec", "containers", 0, "args")
	if a, _ := args.([]any); len(a) != 2 || a[1] != "--helm-payload" {
		t.Errorf("args %v", args)
	}
}

func keys(objs map[string]object) []string {
	var out []string
	for k := range objs {
		out = append(out, k)
	}
	return out
}

// TestValuesSchemaNamesBadValues: a value of the wrong type or shape is
// refused naming the value.
func TestValuesSchemaNamesBadValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dir  string
		vals map[string]any
		want string
	}{
		{controlChart, map[string]any{"replicas": "two"}, "replicas"},
		{controlChart, map[string]any{"replicas": 0}, "replicas"},
		{controlChart, map[string]any{"keys": map[string]any{"jwtKey": "short"}}, "jwtKey"},
		{agentChart, map[string]any{"server": "capsule.example.com", "joinToken": "x"}, "server"},
		{agentChart, map[string]any{"server": "https://x", "joinToken": "x", "persistence": map[string]any{"enabled": "yes"}}, "enabled"},
	} {
		_, err := render(t, tc.dir, tc.vals)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: %v, want an error naming %s", tc.dir, tc.vals, err, tc.want)
		}
	}
}
