package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/ratelimit"
)

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.String()
}

// TestAgentProtocolAuthentication drives the agent routes through the real
// router: a join token works once, an agent's credential only for its own
// id and until revoked, and malformed bodies are named.
func TestAgentProtocolAuthentication(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		inv := e.api.Inventory()
		ctx := context.Background()
		tok, _, err := inv.IssueJoinToken(ctx, "cluster-1", e.orgID, e.userID, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		reg := map[string]any{"version": 1, "token": tok, "cluster_version": "v1.34.3", "agent_version": "test", "hostname": "node-a"}
		r := e.do(t, call{method: "POST", path: "/api/v1/agents/register", body: reg, token: "-"})
		if r.status != 201 {
			t.Fatalf("register: %d %s", r.status, r.raw)
		}
		id, cred := r.json["agent_id"].(string), r.json["credential"].(string)
		e.vars["agent"] = id
		second := e.do(t, call{method: "POST", path: "/api/v1/agents/register", body: reg, token: "-"})
		if second.status != 401 || !strings.Contains(string(second.raw), capsule.CodeJoinTokenInvalid) {
			t.Fatalf("second use of the join token: %d %s", second.status, second.raw)
		}
		tok2, _, _ := inv.IssueJoinToken(ctx, "cluster-2", e.orgID, e.userID, time.Minute)
		e.vars["other"] = e.do(t, call{method: "POST", path: "/api/v1/agents/register", token: "-",
			body: map[string]any{"version": 1, "token": tok2}}).json["agent_id"].(string)

		hb := gzipped(t, `{"version":1,"agent_version":"test"}`)
		gz := map[string]string{"Content-Encoding": "gzip"}
		e.run(t, []call{
			{name: "heartbeat", method: "POST", path: "/api/v1/agents/{agent}/heartbeat", body: hb, header: gz, token: cred, status: 200},
			{name: "plain JSON heartbeat", method: "POST", path: "/api/v1/agents/{agent}/heartbeat", body: `{"version":1}`, token: cred, status: 200},
			{name: "no credential", method: "POST", path: "/api/v1/agents/{agent}/heartbeat", body: hb, header: gz, token: "-", status: 401, code: capsule.CodeAgentCredentialInvalid},
			{name: "a user's token", method: "POST", path: "/api/v1/agents/{agent}/heartbeat", body: hb, header: gz, status: 401, code: capsule.CodeAgentCredentialInvalid},
			{name: "another agent's id", method: "POST", path: "/api/v1/agents/{other}/heartbeat", body: hb, header: gz, token: cred, status: 401, code: capsule.CodeAgentCredentialInvalid},
			{name: "not gzip", method: "POST", path: "/api/v1/agents/{agent}/deltas", body: "{", header: gz, token: cred, status: 400, code: capsule.CodeAgentProtocol},
			{name: "other protocol version", method: "POST", path: "/api/v1/agents/{agent}/deltas", body: gzipped(t, `{"version":2}`), header: gz, token: cred, status: 400, code: capsule.CodeAgentProtocol},
			{name: "bad op", method: "POST", path: "/api/v1/agents/{agent}/deltas", header: gz, token: cred, status: 400, code: capsule.CodeAgentProtocol,
				body: gzipped(t, `{"version":1,"session":"s","deltas":[{"seq":1,"op":"patch","object":{"kind":"Pod","name":"a"}}]}`)},
			{name: "unknown session asks for a resync", method: "POST", path: "/api/v1/agents/{agent}/deltas", header: gz, token: cred, status: 200,
				body: gzipped(t, `{"version":1,"session":"s","deltas":[{"seq":1,"op":"upsert","object":{"kind":"Pod","name":"a","uid":"u","resource_version":"1"}}]}`),
				check: func(t *testing.T, r *result) {
					if r.json["resync"] != true {
						t.Errorf("no resync: %s", r.raw)
					}
				}},
		})
		if err := inv.Revoke(ctx, id); err != nil {
			t.Fatal(err)
		}
		e.run(t, []call{{name: "revoked credential", method: "POST", path: "/api/v1/agents/{agent}/heartbeat", body: hb, header: gz, token: cred, status: 401, code: capsule.CodeAgentCredentialInvalid}})
	})
}

// TestAgentRegistrationIsRateLimited: the public registration route is
// limited per client address, so join tokens cannot be tried at speed.
func TestAgentRegistrationIsRateLimited(t *testing.T) {
	e := newEnv(t, sqliteDSN(t), func(c *httpapi.Config) { c.Access.IPRate = ratelimit.Rate{PerMinute: 1, Burst: 3} })
	body := map[string]any{"version": 1, "token": "cjt_guess"}
	for i := range 3 {
		if r := e.do(t, call{method: "POST", path: "/api/v1/agents/register", body: body, token: "-"}); r.status != 401 {
			t.Fatalf("guess %d: %d %s", i+1, r.status, r.raw)
		}
	}
	if r := e.do(t, call{method: "POST", path: "/api/v1/agents/register", body: body, token: "-"}); r.status != 429 {
		t.Fatalf("fourth guess: %d %s, want 429", r.status, r.raw)
	}
}

// TestClusterAgentRoutes walks a cluster's agent through the user routes:
// a join token, registration, a snapshot, then status, inventory, Helm
// releases, stored snapshots, and revocation.
func TestClusterAgentRoutes(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		c := &capsule.Cluster{OrganizationID: e.orgID, Name: "prod"}
		if err := e.st.CreateCluster(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		e.vars["cluster"] = c.ID
		jt := e.do(t, call{method: "POST", path: "/api/v1/clusters/{cluster}/join-tokens"})
		if jt.status != 201 || jt.json["expires_at"] == nil {
			t.Fatalf("join token: %d %s", jt.status, jt.raw)
		}
		reg := e.do(t, call{method: "POST", path: "/api/v1/agents/register", token: "-",
			body: map[string]any{"version": 1, "token": jt.json["token"], "agent_version": "v9", "cluster_version": "v1.34.3", "hostname": "agent-0"}})
		if reg.status != 201 || reg.json["cluster_id"] != c.ID {
			t.Fatalf("register: %d %s", reg.status, reg.raw)
		}
		e.vars["agent"], e.vars["cred"] = reg.json["agent_id"].(string), reg.json["credential"].(string)
		gz := map[string]string{"Content-Encoding": "gzip"}
		helm := `{"kind":"Secret","metadata":{"name":"sh.helm.release.v1.web.v2","namespace":"prod"},"type":"helm.sh/release.v1","keys":["release"],` +
			`"helmRelease":{"name":"web","namespace":"prod","chart":"web","chartVersion":"1.0.0","status":"deployed","revision":2}}`
		snap := `{"version":1,"session":"s1","seq":5,"part":0,"final":true,"kinds":["Node","Secret"],"objects":[` +
			`{"kind":"Node","name":"n1","uid":"u1","resource_version":"1","body":{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},"status":{"allocatable":{"cpu":"4","memory":"16Gi"},"capacity":{"cpu":"4","memory":"16Gi"}}}},` +
			`{"kind":"Secret","namespace":"prod","name":"sh.helm.release.v1.web.v2","uid":"u2","resource_version":"2","body":` + helm + `}]}`
		e.run(t, []call{
			{name: "snapshot", method: "POST", path: "/api/v1/agents/{agent}/snapshot", body: gzipped(t, snap), header: gz, token: e.vars["cred"], status: 200},
			{name: "heartbeat", method: "POST", path: "/api/v1/agents/{agent}/heartbeat", body: gzipped(t, `{"version":1,"session":"s1","seq":5,"agent_version":"v9"}`), header: gz, token: e.vars["cred"], status: 200},
			{method: "GET", path: "/api/v1/clusters/{cluster}/agent-status", status: 200, check: func(t *testing.T, r *result) {
				counts, _ := r.json["counts"].(map[string]any)
				if r.json["status"] != "online" || r.json["agentVersion"] != "v9" || r.json["objectCount"] != 2.0 || counts["Node"] != 1.0 {
					t.Errorf("agent status %s", r.raw)
				}
			}},
			{method: "GET", path: "/api/v1/clusters/{cluster}/agents", status: 200, check: func(t *testing.T, r *result) {
				if len(r.items()) != 1 || strings.Contains(string(r.raw), "cag_") || strings.Contains(string(r.raw), "redential") {
					t.Errorf("agents %s", r.raw)
				}
			}},
			{method: "GET", path: "/api/v1/agents/{agent}/status", status: 200},
			{method: "GET", path: "/api/v1/clusters/{cluster}/inventory?kind=Node", status: 200, check: func(t *testing.T, r *result) {
				if len(r.items()) != 1 {
					t.Errorf("inventory %s", r.raw)
				}
			}},
			{name: "first page", method: "GET", path: "/api/v1/clusters/{cluster}/inventory?limit=1", status: 200, check: func(t *testing.T, r *result) {
				if len(r.items()) != 1 || r.json["nextCursor"] == nil || r.items()[0].(map[string]any)["kind"] != "Node" {
					t.Fatalf("first page %s", r.raw)
				}
				e.vars["next"] = r.json["nextCursor"].(string)
			}},
			{name: "last page", method: "GET", path: "/api/v1/clusters/{cluster}/inventory?limit=1&cursor={next}", status: 200, check: func(t *testing.T, r *result) {
				if len(r.items()) != 1 || r.json["nextCursor"] != nil || r.items()[0].(map[string]any)["kind"] != "Secret" {
					t.Errorf("last page %s", r.raw)
				}
			}},
			{name: "bad cursor", method: "GET", path: "/api/v1/clusters/{cluster}/inventory?cursor=zz", status: 400, code: capsule.CodeInvalidParameter},
			{name: "unknown parameter", method: "GET", path: "/api/v1/clusters/{cluster}/inventory?kinds=Pod", status: 400, code: capsule.CodeInvalidParameter},
			{method: "GET", path: "/api/v1/clusters/{cluster}/inventory?namespace=elsewhere", status: 200, check: func(t *testing.T, r *result) {
				if len(r.items()) != 0 {
					t.Errorf("inventory of another namespace %s", r.raw)
				}
			}},
			{method: "GET", path: "/api/v1/clusters/{cluster}/helm/releases", status: 200, check: func(t *testing.T, r *result) {
				if len(r.items()) != 1 || !strings.Contains(string(r.raw), `"chartVersion":"1.0.0"`) {
					t.Errorf("helm releases %s", r.raw)
				}
			}},
			{method: "POST", path: "/api/v1/clusters/{cluster}/snapshots", status: 201, save: "snap"},
			{method: "GET", path: "/api/v1/clusters/{cluster}/snapshots", status: 200, check: func(t *testing.T, r *result) {
				if len(r.items()) != 1 {
					t.Errorf("snapshots %s", r.raw)
				}
			}},
			{method: "GET", path: "/api/v1/clusters/{cluster}/snapshots/{snap}", status: 200, check: func(t *testing.T, r *result) {
				if r.json["kind"] != "List" || len(r.items()) != 1 {
					t.Errorf("snapshot state %s", r.raw)
				}
			}},
			{name: "a snapshot of another cluster", method: "GET", path: "/api/v1/clusters/{cluster}/snapshots/00000000-0000-7000-8000-000000000000", status: 404, code: "CLUSTER_SNAPSHOT_NOT_FOUND"},
			{method: "DELETE", path: "/api/v1/agents/{agent}", status: 204},
			{name: "revoked", method: "POST", path: "/api/v1/agents/{agent}/heartbeat", body: gzipped(t, `{"version":1}`), header: gz, token: e.vars["cred"], status: 401, code: capsule.CodeAgentCredentialInvalid},
			{name: "status after revocation", method: "GET", path: "/api/v1/clusters/{cluster}/agent-status", status: 200, check: func(t *testing.T, r *result) {
				if r.json["status"] != "none" {
					t.Errorf("status after revocation %s", r.raw)
				}
			}},
		})

		// Deleting the cluster takes its agents and inventory with it.
		jt2 := e.do(t, call{method: "POST", path: "/api/v1/clusters/{cluster}/join-tokens"})
		reg2 := e.do(t, call{method: "POST", path: "/api/v1/agents/register", token: "-", body: map[string]any{"version": 1, "token": jt2.json["token"]}})
		e.vars["agent2"] = reg2.json["agent_id"].(string)
		e.run(t, []call{
			{name: "delete the cluster", method: "DELETE", path: "/api/v1/clusters/{cluster}", status: 204},
			{name: "its agent", method: "POST", path: "/api/v1/agents/{agent2}/heartbeat", body: gzipped(t, `{"version":1}`), header: gz,
				token: reg2.json["credential"].(string), status: 401, code: capsule.CodeAgentCredentialInvalid},
		})
		if objs, err := e.api.Inventory().Objects(context.Background(), c.ID, "", ""); err != nil || len(objs) != 0 {
			t.Fatalf("inventory of a deleted cluster: %d objects, %v", len(objs), err)
		}
	})
}
