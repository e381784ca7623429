package httpapi_test

import (
	"encoding/json"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/rbac"
)

// withClusterAllow lets cluster servers be on loopback, as --egress-allow
// 127.0.0.1 does.
func withClusterAllow(c *httpapi.Config) {
	c.ClusterAllow = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
}

// TestClusterCredentialIsWriteOnly: the secret holding a cluster's
// credential is listed by name, but the secrets API neither reads, rotates
// nor deletes it, and no secret can be created under its reserved name.
func TestClusterCredentialIsWriteOnly(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "sealed")
		owner := bearer(tm.tokens[rbac.Owner])
		status, body := send(t, tm.e, "GET", "/api/v1/secrets?organizationId="+f.org, owner, nil)
		var list httpapi.SecretList
		must(t, json.Unmarshal(body, &list))
		var id string
		for _, s := range list.Items {
			if strings.HasPrefix(s.Name, "capsule.cluster."+f.cluster+".") {
				id = s.ID
			}
		}
		if status != http.StatusOK || id == "" {
			t.Fatalf("secrets list: %d %s", status, body)
		}
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/secrets/" + id + "/value", nil},
			{"PUT", "/api/v1/secrets/" + id, map[string]string{"value": `{"server":"https://203.0.113.9","token":"mine"}`}},
			{"DELETE", "/api/v1/secrets/" + id, nil},
			{"POST", "/api/v1/secrets", map[string]string{"organizationId": f.org, "name": "capsule.cluster." + f.cluster + ".credential", "value": "x"}},
		} {
			status, body := send(t, tm.e, c.method, c.path, owner, c.body)
			if status != http.StatusForbidden || errorCode(body) != "CLUSTER_CREDENTIAL_SEALED" {
				t.Errorf("%s %s: %d %s, want 403 CLUSTER_CREDENTIAL_SEALED", c.method, c.path, status, body)
			}
			if strings.Contains(string(body), "fixture-cluster-token") {
				t.Errorf("%s %s answers the credential: %s", c.method, c.path, body)
			}
		}
		status, body = send(t, tm.e, "GET", "/api/v1/clusters/"+f.cluster, owner, nil)
		if status != http.StatusOK || !strings.Contains(string(body), `"has_credential":true`) {
			t.Fatalf("the credential is gone: %d %s", status, body)
		}
	})
}

// TestClusterCredentialChecks: a credential is refused before anything is
// stored when its server is a metadata address, loopback without the allow
// list, a closed port, or a server that fails; the answer names the URL
// and the reason but never what the server sent, and the audit log never
// holds the kubeconfig.
func TestClusterCredentialChecks(t *testing.T) {
	tm := newTeam(t, sqliteDSN(t), withClusterAllow)
	f := tm.newFixture(t, "checks")
	owner := bearer(tm.tokens[rbac.Owner])

	failing := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "REMOTE-SECRET-BODY", http.StatusInternalServerError)
	}))
	defer failing.Close()
	ca := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: failing.Certificate().Raw}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	closed := "https://" + l.Addr().String()
	l.Close()
	const kubeconfig = "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: \"https://169.254.169.254\"}\n" +
		"users:\n- name: u\n  user: {token: kubeconfig-secret-token}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n"

	for _, c := range []struct {
		name string
		body map[string]string
		code string
		says []string
	}{
		{"metadata", map[string]string{"server": "https://169.254.169.254", "token": "t0ken-metadata"}, "VALIDATION_FAILED", []string{"cloud metadata"}},
		{"kubeconfig metadata", map[string]string{"kubeconfig": kubeconfig}, "VALIDATION_FAILED", []string{"cloud metadata"}},
		{"closed port", map[string]string{"server": closed, "token": "t0ken-closed"}, "CLUSTER_UNREACHABLE", []string{closed, "connection refused"}},
		{"failing server", map[string]string{"server": failing.URL, "certificate_authority_data": ca, "token": "t0ken-failing"}, "CLUSTER_UNREACHABLE", []string{failing.URL, "HTTP 500"}},
		{"wrong CA", map[string]string{"server": failing.URL, "token": "t0ken-ca"}, "CLUSTER_UNREACHABLE", []string{"certificate authority"}},
		{"empty", map[string]string{}, "VALIDATION_FAILED", []string{"credential"}},
	} {
		status, body := send(t, tm.e, "PUT", "/api/v1/clusters/"+f.cluster+"/credential", owner, c.body)
		if status != http.StatusBadRequest || errorCode(body) != c.code {
			t.Errorf("%s: %d %s, want 400 %s", c.name, status, body, c.code)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(string(body), s) {
				t.Errorf("%s: answer does not say %q: %s", c.name, s, body)
			}
		}
		if strings.Contains(string(body), "REMOTE-SECRET-BODY") || strings.Contains(string(body), "t0ken") {
			t.Errorf("%s: answer repeats the remote body or the token: %s", c.name, body)
		}
	}
	// Loopback is refused without the allow list.
	plain := newTeam(t, sqliteDSN(t))
	pf := plain.newFixture(t, "plain")
	status, body := send(t, plain.e, "PUT", "/api/v1/clusters/"+pf.cluster+"/credential", bearer(plain.tokens[rbac.Owner]),
		map[string]string{"server": failing.URL, "certificate_authority_data": ca, "token": "t"})
	if status != http.StatusBadRequest || !strings.Contains(string(body), "loopback") {
		t.Errorf("loopback without allow: %d %s", status, body)
	}

	// A refused POST stores nothing; the audit log holds no credential.
	status, body = send(t, tm.e, "POST", "/api/v1/clusters", owner, map[string]any{"organization_id": f.org, "name": "refused",
		"credential": map[string]string{"server": closed, "token": "t0ken-post"}})
	if status != http.StatusBadRequest || errorCode(body) != "CLUSTER_UNREACHABLE" {
		t.Fatalf("POST with an unreachable credential: %d %s", status, body)
	}
	status, body = send(t, tm.e, "GET", "/api/v1/clusters?organizationId="+f.org+"&name=refused", owner, nil)
	if status != http.StatusOK || strings.Contains(string(body), `"refused"`) {
		t.Fatalf("a refused cluster was stored: %d %s", status, body)
	}
	entries, err := json.Marshal(tm.auditEntries(t, f.org, ""))
	must(t, err)
	for _, leak := range []string{"kubeconfig-secret-token", "t0ken", "REMOTE-SECRET-BODY"} {
		if strings.Contains(string(entries), leak) {
			t.Errorf("the audit log holds %q", leak)
		}
	}
	if !strings.Contains(string(entries), "clusters.credential.update") {
		t.Errorf("refused credential updates are not audited: %s", entries)
	}
}

// TestClusterLifecycle: create, scope checks, patch with versions,
// environments pointing at a cluster of their organization, the in-use
// refusal, and forgetting the credential.
func TestClusterLifecycle(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "life")
		other := tm.newFixture(t, "other")
		owner := bearer(tm.tokens[rbac.Owner])

		status, body := send(t, tm.e, "POST", "/api/v1/clusters?organizationId="+other.org, owner, map[string]any{"organization_id": f.org, "name": "x"})
		if status != http.StatusBadRequest || errorCode(body) != "SCOPE_MISMATCH" {
			t.Fatalf("query and body disagree: %d %s", status, body)
		}
		status, body = send(t, tm.e, "POST", "/api/v1/clusters?organizationId="+f.org, owner, map[string]any{"name": "staging-us", "cloud_provider": "gcp", "region": "us-east1"})
		if status != http.StatusCreated {
			t.Fatalf("create: %d %s", status, body)
		}
		var c map[string]any
		must(t, json.Unmarshal(body, &c))
		for _, k := range []string{"id", "name", "cloud_provider", "region", "metadata", "status", "agent_status", "organization_id", "created_at", "updated_at", "has_credential"} {
			if _, ok := c[k]; !ok {
				t.Errorf("answer lacks %s: %s", k, body)
			}
		}
		if c["organization_id"] != f.org || c["status"] != "registered" || c["agent_status"] != "none" || strings.Contains(string(body), "secret") {
			t.Fatalf("created %s", body)
		}
		id := c["id"].(string)
		if status, body := send(t, tm.e, "POST", "/api/v1/clusters", owner, map[string]any{"organization_id": f.org, "name": "staging-us"}); status != http.StatusConflict || errorCode(body) != "CLUSTER_ALREADY_EXISTS" {
			t.Fatalf("duplicate: %d %s", status, body)
		}
		status, body = send(t, tm.e, "PATCH", "/api/v1/clusters/"+id, owner, map[string]any{"region": "us-west1", "metadata": map[string]string{"tier": "gold"}})
		if status != http.StatusOK || !strings.Contains(string(body), `"us-west1"`) || !strings.Contains(string(body), `"gcp"`) || !strings.Contains(string(body), `"gold"`) {
			t.Fatalf("patch: %d %s", status, body)
		}
		if status, body := send(t, tm.e, "PATCH", "/api/v1/clusters/"+id, owner, map[string]any{"region": "x", "version": 1}); status != http.StatusConflict || errorCode(body) != "VERSION_CONFLICT" {
			t.Fatalf("stale patch: %d %s", status, body)
		}
		if status, body := send(t, tm.e, "PATCH", "/api/v1/clusters/"+id, owner, map[string]any{"organization_id": other.org}); status != http.StatusBadRequest {
			t.Fatalf("moving a cluster: %d %s", status, body)
		}

		// Environments: a cluster of another organization is no cluster.
		status, body = send(t, tm.e, "POST", "/api/v1/environments", owner, map[string]any{"projectId": f.project, "name": "qa", "kind": "staging", "clusterId": other.cluster})
		if status != http.StatusNotFound || errorCode(body) != "CLUSTER_NOT_FOUND" || !strings.Contains(string(body), "clusterId") {
			t.Fatalf("foreign cluster: %d %s", status, body)
		}
		status, body = send(t, tm.e, "POST", "/api/v1/environments", owner, map[string]any{"projectId": f.project, "name": "qa", "kind": "staging", "clusterId": id})
		if status != http.StatusCreated || !strings.Contains(string(body), id) {
			t.Fatalf("environment on the cluster: %d %s", status, body)
		}
		status, body = send(t, tm.e, "DELETE", "/api/v1/clusters/"+id, owner, nil)
		if status != http.StatusConflict || errorCode(body) != "CLUSTER_IN_USE" || !strings.Contains(string(body), "shop/qa") {
			t.Fatalf("deleting a used cluster: %d %s", status, body)
		}

		// Forgetting the credential keeps the cluster and drops the secret.
		if status, body := send(t, tm.e, "DELETE", "/api/v1/clusters/"+f.cluster+"/credential", owner, nil); status != http.StatusNoContent {
			t.Fatalf("delete credential: %d %s", status, body)
		}
		status, body = send(t, tm.e, "GET", "/api/v1/clusters/"+f.cluster, owner, nil)
		if status != http.StatusOK || !strings.Contains(string(body), `"has_credential":false`) || !strings.Contains(string(body), `"registered"`) {
			t.Fatalf("after forgetting: %d %s", status, body)
		}
		if _, body := send(t, tm.e, "GET", "/api/v1/secrets?organizationId="+f.org, owner, nil); strings.Contains(string(body), "capsule.cluster.") {
			t.Fatalf("the credential's secret survived: %s", body)
		}
		if status, body := send(t, tm.e, "DELETE", "/api/v1/clusters/"+f.cluster+"/credential", owner, nil); status != http.StatusNotFound || errorCode(body) != "CLUSTER_CREDENTIAL_NOT_FOUND" {
			t.Fatalf("forgetting twice: %d %s", status, body)
		}
		// A viewer sees clusters but not across organizations.
		status, body = send(t, tm.e, "GET", "/api/v1/clusters", bearer(tm.tokens[rbac.Viewer]), nil)
		if status != http.StatusOK || !strings.Contains(string(body), id) {
			t.Fatalf("viewer list: %d %s", status, body)
		}
		status, body = send(t, tm.e, "GET", "/api/v1/clusters", bearer(tm.strangerToken(t)), nil)
		if status != http.StatusOK || strings.Contains(string(body), id) {
			t.Fatalf("stranger list: %d %s", status, body)
		}
	})
}
