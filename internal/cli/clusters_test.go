package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/server"
	"github.com/usecapsule/capsule/internal/sqlstore"
	"github.com/usecapsule/capsule/internal/testenv"
	"k8s.io/client-go/tools/clientcmd"
)

// TestClustersAgainstARealCluster registers the simulated cluster through
// the CLI and the real server: the admin credential passes the access
// check, the read-only one is refused naming exactly the missing writes,
// the credential is never shown and is encrypted at rest, environments
// deploy to a cluster by name, and a used cluster cannot be deleted.
func TestClustersAgainstARealCluster(t *testing.T) {
	kc := testenv.Shared(t)
	dataDir := t.TempDir()
	url := startServerWith(t, dataDir, func(o *server.Options) { o.EgressAllow = "127.0.0.1" })
	loginTo(t, url)

	var c map[string]any
	out := mustRun(t, "clusters", "add", "prod-eu", "--kubeconfig", kc.Kubeconfig, "--cloud-provider", "aws",
		"--region", "eu-west-1", "--metadata", "team=platform", "-o", "json")
	must(t, json.Unmarshal([]byte(out), &c))
	if c["status"] != "connected" || c["has_credential"] != true || c["agent_status"] != "none" ||
		!strings.HasPrefix(fmt.Sprint(c["server_version"]), "v1.") || c["cloud_provider"] != "aws" ||
		fmt.Sprint(c["metadata"]) != "map[team:platform]" || c["organization_id"] == "" {
		t.Fatalf("added cluster = %v", c)
	}
	id := fmt.Sprint(c["id"])

	secretParts := credentialParts(t, kc.Kubeconfig)
	for _, args := range [][]string{{"clusters", "get", "prod-eu", "-o", "json"}, {"clusters", "list", "-o", "json"},
		{"clusters", "get", id, "-o", "yaml"}, {"clusters", "list"}} {
		out := mustRun(t, args...)
		if !strings.Contains(out, "prod-eu") {
			t.Fatalf("capsule %s does not show the cluster:\n%s", strings.Join(args, " "), out)
		}
		for _, part := range append(secretParts, "kubeconfig", "token") {
			if strings.Contains(out, part) {
				t.Fatalf("capsule %s shows part of the credential (%.20q):\n%s", strings.Join(args, " "), part, out)
			}
		}
	}
	if out := mustRun(t, "clusters", "list"); !strings.Contains(out, "connected") || !strings.Contains(out, "eu-west-1") {
		t.Fatalf("clusters list:\n%s", out)
	}

	// The read-only identity may get, list and watch: exactly the writes are missing.
	r := run(t, "", "clusters", "add", "readonly", "--kubeconfig", kc.ReadOnlyKubeconfig)
	if r.code == 0 || !strings.Contains(r.err, "CLUSTER_PERMISSIONS_MISSING") || !strings.Contains(r.err, "create namespaces") ||
		!strings.Contains(r.err, "delete jobs") || strings.Contains(r.err, "get namespaces") {
		t.Fatalf("read-only credential: exit %d: %s", r.code, r.err)
	}
	if out := mustRun(t, "clusters", "list"); strings.Contains(out, "readonly") {
		t.Fatalf("a refused cluster was stored:\n%s", out)
	}

	assertSealedAtRest(t, dataDir, secretParts)

	// Environments name a cluster by name or ID.
	mustRun(t, "projects", "create", "Shop")
	var env map[string]any
	must(t, json.Unmarshal([]byte(mustRun(t, "envs", "create", "staging", "--project", "shop", "--cluster", "prod-eu", "-o", "json")), &env))
	if env["clusterId"] != id {
		t.Fatalf("environment = %v, want clusterId %s", env, id)
	}
	if r := run(t, "", "envs", "create", "qa", "--project", "shop", "--cluster", "nowhere"); r.code == 0 || !strings.Contains(r.err, `"nowhere"`) {
		t.Fatalf("unknown cluster: exit %d: %s", r.code, r.err)
	}
	r = run(t, "", "clusters", "delete", "prod-eu", "--yes")
	if r.code == 0 || !strings.Contains(r.err, "CLUSTER_IN_USE") || !strings.Contains(r.err, "shop/staging") {
		t.Fatalf("deleting a used cluster: exit %d: %s", r.code, r.err)
	}
	if r := run(t, "", "clusters", "delete", "prod-eu"); r.code == 0 || !strings.Contains(r.err, "--yes") {
		t.Fatalf("delete without confirmation: exit %d: %s", r.code, r.err)
	}
	mustRun(t, "envs", "delete", "staging", "--yes")
	mustRun(t, "clusters", "delete", "prod-eu", "--yes")
	if out := mustRun(t, "clusters", "list", "-o", "json"); strings.Contains(out, "prod-eu") {
		t.Fatalf("deleted cluster still listed:\n%s", out)
	}
}

// TestClustersAddRefusesUnreachableAndMetadata: the server's address is
// checked: a closed port is unreachable (named with its URL), a cloud
// metadata address is refused before any connection.
func TestClustersAddRefusesUnreachableAndMetadata(t *testing.T) {
	kc := testenv.Shared(t)
	url := startServerWith(t, t.TempDir(), func(o *server.Options) { o.EgressAllow = "127.0.0.1" })
	loginTo(t, url)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	closed := "https://" + l.Addr().String()
	l.Close()
	r := run(t, "", "clusters", "add", "gone", "--kubeconfig", withServer(t, kc.Kubeconfig, closed))
	if r.code == 0 || !strings.Contains(r.err, "CLUSTER_UNREACHABLE") || !strings.Contains(r.err, closed) || !strings.Contains(r.err, "connection refused") {
		t.Fatalf("closed port: exit %d: %s", r.code, r.err)
	}
	r = run(t, "", "clusters", "add", "meta", "--kubeconfig", withServer(t, kc.Kubeconfig, "https://169.254.169.254"))
	if r.code == 0 || !strings.Contains(r.err, "VALIDATION_FAILED") || !strings.Contains(r.err, "cloud metadata") {
		t.Fatalf("metadata address: exit %d: %s", r.code, r.err)
	}
	if r := run(t, "", "clusters", "add", "other", "--kubeconfig", kc.Kubeconfig, "--context", "elsewhere"); r.code == 0 || !strings.Contains(r.err, `"capsule-testenv"`) {
		t.Fatalf("unknown context: exit %d: %s", r.code, r.err)
	}
	if out := mustRun(t, "clusters", "list", "-o", "json"); strings.Contains(out, `"name"`) {
		t.Fatalf("refused clusters were stored:\n%s", out)
	}
}

// withServer writes a copy of the kubeconfig at path whose cluster is at
// server.
func withServer(t *testing.T, path, server string) string {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(path)
	must(t, err)
	for _, c := range cfg.Clusters {
		c.Server = server
	}
	out := filepath.Join(t.TempDir(), "kubeconfig")
	must(t, clientcmd.WriteToFile(*cfg, out))
	return out
}

// credentialParts are pieces of the kubeconfig's private key, as they
// appear in the file (base64) and decoded (PEM lines).
func credentialParts(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	must(t, err)
	cfg, err := clientcmd.Load(raw)
	must(t, err)
	var parts []string
	for _, u := range cfg.AuthInfos {
		key := strings.Split(string(u.ClientKeyData), "\n")
		parts = append(parts, key[1], key[2])
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ": "); ok && k == "client-key-data" {
			parts = append(parts, v[40:80])
		}
	}
	if len(parts) < 3 {
		t.Fatalf("no key material found in %s", path)
	}
	return parts
}

// assertSealedAtRest reads every row the credential could be in straight
// from the database file: none holds any part of it in clear.
func assertSealedAtRest(t *testing.T, dataDir string, parts []string) {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), filepath.Join(dataDir, "capsule.db"), sqlstore.Options{})
	must(t, err)
	defer st.Close()
	var n int
	for _, q := range []string{"SELECT * FROM secret_versions", "SELECT * FROM secrets", "SELECT * FROM clusters", "SELECT * FROM audit_log"} {
		rows, err := st.DB().Query(q)
		must(t, err)
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			must(t, rows.Scan(ptrs...))
			row := fmt.Sprint(vals...)
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					row += string(b)
				}
			}
			for _, p := range parts {
				if strings.Contains(row, p) {
					t.Errorf("%s: a row holds part of the credential in clear", q)
				}
			}
			n++
		}
		must(t, rows.Err())
		rows.Close()
	}
	var versions int
	must(t, st.DB().QueryRow("SELECT COUNT(*) FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.name LIKE 'capsule.cluster.%'").Scan(&versions))
	if versions != 1 {
		t.Fatalf("%d sealed versions of cluster credentials, want 1", versions)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestClusterCredentialReplaced: through the API, a registered cluster gets
// its credential with PUT; a credential that fails the check leaves the
// stored one in place; forgetting it keeps the cluster. No answer carries
// the credential.
func TestClusterCredentialReplaced(t *testing.T) {
	kc := testenv.Shared(t)
	dataDir := t.TempDir()
	url := startServerWith(t, dataDir, func(o *server.Options) { o.EgressAllow = "127.0.0.1" })
	loginTo(t, url)
	var c map[string]any
	must(t, json.Unmarshal([]byte(mustRun(t, "clusters", "add", "bare", "-o", "json")), &c))
	if c["status"] != "registered" || c["has_credential"] != false {
		t.Fatalf("cluster without a credential: %v", c)
	}
	path := "/api/v1/clusters/" + fmt.Sprint(c["id"]) + "/credential"
	admin, err := os.ReadFile(kc.Kubeconfig)
	must(t, err)
	readOnly, err := os.ReadFile(kc.ReadOnlyKubeconfig)
	must(t, err)
	parts := credentialParts(t, kc.Kubeconfig)
	ctx := context.Background()
	must(t, withClient(ctx, "", func(api *apiclient.Client) error {
		var got map[string]any
		if err := api.Do(ctx, http.MethodPut, path, map[string]string{"kubeconfig": string(admin), "context": "capsule-testenv"}, &got); err != nil {
			return err
		}
		raw, _ := json.Marshal(got)
		if got["status"] != "connected" || !strings.HasPrefix(fmt.Sprint(got["server_version"]), "v1.") || got["checked_at"] == nil {
			t.Fatalf("after PUT: %s", raw)
		}
		for _, p := range parts {
			if strings.Contains(string(raw), p) {
				t.Fatalf("PUT answers the credential: %s", raw)
			}
		}
		// Replacing a credential leaves one sealed copy: the new one.
		if err := api.Do(ctx, http.MethodPut, path, map[string]string{"kubeconfig": string(admin)}, nil); err != nil {
			return err
		}
		if n := sealedVersions(t, dataDir); n != 1 {
			t.Fatalf("%d sealed versions after replacing the credential, want 1", n)
		}
		err := api.Do(ctx, http.MethodPut, path, map[string]string{"kubeconfig": string(readOnly)}, nil)
		if err == nil || !strings.Contains(err.Error(), "CLUSTER_PERMISSIONS_MISSING") || !strings.Contains(err.Error(), "patch secrets") {
			t.Fatalf("PUT of the read-only credential: %v", err)
		}
		if out := mustRun(t, "clusters", "get", "bare", "-o", "json"); !strings.Contains(out, `"connected"`) {
			t.Fatalf("a refused credential replaced the stored one:\n%s", out)
		}
		if err := api.Do(ctx, http.MethodDelete, path, nil, nil); err != nil {
			return err
		}
		if out := mustRun(t, "clusters", "get", "bare", "-o", "json"); !strings.Contains(out, `"registered"`) || !strings.Contains(out, `"has_credential": false`) {
			t.Fatalf("after forgetting the credential:\n%s", out)
		}
		return nil
	}))
	if n := sealedVersions(t, dataDir); n != 0 {
		t.Fatalf("%d sealed versions remain after the credential was forgotten", n)
	}
}

// sealedVersions counts the stored secret versions of the server's database.
func sealedVersions(t *testing.T, dataDir string) int {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), filepath.Join(dataDir, "capsule.db"), sqlstore.Options{})
	must(t, err)
	defer st.Close()
	var n int
	must(t, st.DB().QueryRow("SELECT COUNT(*) FROM secret_versions").Scan(&n))
	return n
}
