package inventorystore_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/inventory"
	"github.com/usecapsule/capsule/internal/inventorystore"
	"github.com/usecapsule/capsule/internal/pgtest"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var dialects = []struct {
	name string
	dsn  func(t testing.TB) string
}{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "capsule.db") }},
	{"postgres", func(t testing.TB) string { return pgtest.StartFrom(t, "inventorystore", migrated) }},
}

func migrated(url string) error {
	s, err := sqlstore.Open(context.Background(), url, sqlstore.Options{})
	if err != nil {
		return err
	}
	return s.Close()
}

// env is a service over a real store, with a clock the test moves.
type env struct {
	db    *sqlstore.Store
	ids   *identitystore.Store
	clock time.Time
}

func (e *env) service() *inventory.Service {
	return inventory.New(inventory.Config{
		Store: inventorystore.New(e.db),
		Now:   func() time.Time { return e.clock },
		Audit: func(ctx context.Context, en audit.Entry) context.Context {
			c, _ := e.ids.WithAuditUnit(ctx, en)
			return c
		},
	})
}

func open(t testing.TB, dsn string) *env {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &env{db: db, ids: identitystore.New(db), clock: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
}

func obj(kind, ns, name, uid, rv string) agentproto.Object {
	body, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": kind,
		"metadata": map[string]any{"name": name, "namespace": ns, "uid": uid, "resourceVersion": rv}})
	return agentproto.Object{Kind: kind, Namespace: ns, Name: name, UID: uid, ResourceVersion: rv, Body: body}
}

func code(err error) string {
	var ce *capsule.Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

func register(t testing.TB, s *inventory.Service, cluster string) *agentproto.RegisterResponse {
	t.Helper()
	tok, _, err := s.IssueJoinToken(context.Background(), cluster, "org-1", "user-1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Register(context.Background(), agentproto.RegisterRequest{Version: 1, Token: tok, AgentVersion: "v1"}, "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestJoinTokenIsOneUseAndShortLived(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			e := open(t, d.dsn(t))
			s := e.service()
			ctx := context.Background()
			tok, exp, err := s.IssueJoinToken(ctx, "cluster-a", "org-1", "user-1", time.Minute)
			if err != nil || !exp.Equal(e.clock.Add(time.Minute)) {
				t.Fatalf("issue: %v %v", exp, err)
			}
			req := agentproto.RegisterRequest{Version: 1, Token: tok}
			if _, err := s.Register(ctx, req, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Register(ctx, req, ""); code(err) != capsule.CodeJoinTokenInvalid {
				t.Fatalf("second use: got %v, want %s", err, capsule.CodeJoinTokenInvalid)
			}
			tok2, _, _ := s.IssueJoinToken(ctx, "cluster-a", "org-1", "user-1", time.Minute)
			e.clock = e.clock.Add(2 * time.Minute)
			if _, err := s.Register(ctx, agentproto.RegisterRequest{Version: 1, Token: tok2}, ""); code(err) != capsule.CodeJoinTokenInvalid {
				t.Fatalf("expired: got %v, want %s", err, capsule.CodeJoinTokenInvalid)
			}
			// The stored token is a hash, never the token.
			var n int
			if err := e.db.DB().QueryRow(`SELECT COUNT(*) FROM agent_join_tokens WHERE token_hash = '` + tok + `'`).Scan(&n); err != nil || n != 0 {
				t.Fatalf("token stored in clear: %d %v", n, err)
			}
		})
	}
}

func TestCredentialRevocationAndReregistration(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			e := open(t, d.dsn(t))
			s := e.service()
			ctx := context.Background()
			r := register(t, s, "cluster-a")
			if _, err := s.Authenticate(ctx, r.AgentID, r.Credential); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Authenticate(ctx, r.AgentID, r.Credential+"x"); code(err) != capsule.CodeAgentCredentialInvalid {
				t.Fatalf("wrong credential: %v", err)
			}
			r2 := register(t, s, "cluster-a") // a new agent for the cluster revokes the old one
			if _, err := s.Authenticate(ctx, r.AgentID, r.Credential); code(err) != capsule.CodeAgentCredentialInvalid {
				t.Fatalf("replaced agent: %v", err)
			}
			if err := s.Revoke(ctx, r2.AgentID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Authenticate(ctx, r2.AgentID, r2.Credential); code(err) != capsule.CodeAgentCredentialInvalid {
				t.Fatalf("revoked agent: %v", err)
			}
		})
	}
}

func TestPictureSurvivesRestartAndOrdersDeltas(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			e := open(t, d.dsn(t))
			s := e.service()
			ctx := context.Background()
			r := register(t, s, "cluster-a")
			a, _ := s.Authenticate(ctx, r.AgentID, r.Credential)
			pods := []agentproto.Object{obj("Pod", "ns", "a", "u1", "1"), obj("Pod", "ns", "b", "u2", "2")}
			part := agentproto.SnapshotPart{Version: 1, Session: "s1", Seq: 10, Objects: pods[:1]}
			if ack, err := s.Snapshot(ctx, a, part); err != nil || ack.Resync {
				t.Fatalf("part 0: %+v %v", ack, err)
			}
			part.Part, part.Final, part.Objects, part.Kinds = 1, true, pods[1:], []string{"Pod", "Node"}
			if ack, err := s.Snapshot(ctx, a, part); err != nil || ack.Resync || ack.AckedSeq != 10 {
				t.Fatalf("final part: %+v %v", ack, err)
			}
			c := obj("Pod", "ns", "c", "u3", "3")
			after := agentproto.Checksum([]agentproto.Meta{{UID: "u1", ResourceVersion: "1"}, {UID: "u3", ResourceVersion: "3"}})
			batch := agentproto.DeltaBatch{Version: 1, Session: "s1", Deltas: []agentproto.Delta{
				{Seq: 11, Op: agentproto.OpUpsert, Object: c},
				{Seq: 12, Op: agentproto.OpDelete, Object: agentproto.Object{Kind: "Pod", Namespace: "ns", Name: "b"}},
			}, Checksums: map[string]string{"Pod": after}}
			if ack, err := s.Deltas(ctx, a, batch); err != nil || ack.Resync || ack.AckedSeq != 12 {
				t.Fatalf("deltas: %+v %v", ack, err)
			}
			// A retried batch is acknowledged without applying twice.
			if ack, err := s.Deltas(ctx, a, batch); err != nil || ack.Resync || ack.AckedSeq != 12 {
				t.Fatalf("retried deltas: %+v %v", ack, err)
			}
			// A restarted control plane continues from the store.
			s2 := e.service()
			a, _ = s2.Authenticate(ctx, r.AgentID, r.Credential)
			gap := agentproto.DeltaBatch{Version: 1, Session: "s1", Deltas: []agentproto.Delta{{Seq: 14, Op: agentproto.OpUpsert, Object: c}}}
			if ack, err := s2.Deltas(ctx, a, gap); err != nil || !ack.Resync || ack.AckedSeq != 12 {
				t.Fatalf("gap: %+v %v", ack, err)
			}
			hb := agentproto.Heartbeat{Version: 1, Session: "s1", Seq: 12, Checksums: map[string]string{"Pod": after}}
			if ack, err := s2.Heartbeat(ctx, a, hb); err != nil || ack.Resync {
				t.Fatalf("heartbeat after restart: %+v %v", ack, err)
			}
			hb.Checksums["Pod"] = agentproto.Checksum(nil)
			if ack, err := s2.Heartbeat(ctx, a, hb); err != nil || !ack.Resync {
				t.Fatalf("heartbeat with another checksum: %+v %v", ack, err)
			}
			objs, err := s2.Objects(ctx, "cluster-a", "Pod", "ns")
			if err != nil || len(objs) != 2 || objs[0].Name != "a" || objs[1].Name != "c" {
				t.Fatalf("objects: %+v %v", objs, err)
			}
			st, err := s2.Status(ctx, "cluster-a")
			if err != nil || st.Status != inventory.StatusOnline || st.Counts["Pod"] != 2 {
				t.Fatalf("status: %+v %v", st, err)
			}
		})
	}
}

func TestOfflineAfterMissedHeartbeatsIsAudited(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			e := open(t, d.dsn(t))
			s := e.service()
			ctx := context.Background()
			r := register(t, s, "cluster-a")
			a, _ := s.Authenticate(ctx, r.AgentID, r.Credential)
			if _, err := s.Heartbeat(ctx, a, agentproto.Heartbeat{Version: 1}); err != nil {
				t.Fatal(err)
			}
			e.clock = e.clock.Add(44 * time.Second)
			if n, err := s.SweepOffline(ctx); err != nil || n != 0 {
				t.Fatalf("two missed heartbeats: %d %v", n, err)
			}
			e.clock = e.clock.Add(2 * time.Second)
			if n, err := s.SweepOffline(ctx); err != nil || n != 1 {
				t.Fatalf("three missed heartbeats: %d %v", n, err)
			}
			if n, err := s.SweepOffline(ctx); err != nil || n != 0 {
				t.Fatalf("second sweep: %d %v", n, err)
			}
			got, _ := s.Agent(ctx, r.AgentID)
			if got.Status != inventory.StatusOffline {
				t.Fatalf("status %s", got.Status)
			}
			entries, err := e.ids.ListAudit(ctx, identity.AuditFilter{Action: "agent.*"})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, en := range entries {
				actions = append(actions, en.Action)
			}
			if len(actions) != 2 || actions[0] != "agent.register" || actions[1] != "agent.offline" {
				t.Fatalf("audit actions %v", actions)
			}
		})
	}
}

// TestClusterRecordFollowsItsAgent: the cluster's agent_status (shown by
// cluster lists) follows registration, heartbeats, the offline sweep and
// revocation.
func TestClusterRecordFollowsItsAgent(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			e := open(t, d.dsn(t))
			s := e.service()
			ctx := context.Background()
			u := &capsule.User{Email: "owner@example.com", Name: "Owner"}
			if err := e.db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			o := &capsule.Organization{Name: "acme", Slug: "acme"}
			if err := e.db.CreateOrganization(ctx, o, u.ID); err != nil {
				t.Fatal(err)
			}
			c := &capsule.Cluster{OrganizationID: o.ID, Name: "prod"}
			if err := e.db.CreateCluster(ctx, c); err != nil {
				t.Fatal(err)
			}
			status := func() string {
				got, err := e.db.FindCluster(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				return got.AgentStatus
			}
			if got := status(); got != capsule.AgentNone {
				t.Fatalf("before any agent: %s", got)
			}
			r := register(t, s, c.ID)
			if got := status(); got != inventory.StatusPending {
				t.Fatalf("registered: %s", got)
			}
			a, _ := s.Authenticate(ctx, r.AgentID, r.Credential)
			if _, err := s.Heartbeat(ctx, a, agentproto.Heartbeat{Version: 1}); err != nil {
				t.Fatal(err)
			}
			if got := status(); got != inventory.StatusOnline {
				t.Fatalf("after a heartbeat: %s", got)
			}
			e.clock = e.clock.Add(time.Minute)
			if _, err := s.SweepOffline(ctx); err != nil {
				t.Fatal(err)
			}
			if got := status(); got != inventory.StatusOffline {
				t.Fatalf("after missed heartbeats: %s", got)
			}
			if err := s.Revoke(ctx, r.AgentID); err != nil {
				t.Fatal(err)
			}
			if got := status(); got != capsule.AgentNone {
				t.Fatalf("after revocation: %s", got)
			}
		})
	}
}

// TestUnfinishedSnapshotExpires: parts of a snapshot the agent abandoned
// are dropped after a while; a late part asks for a new snapshot.
func TestUnfinishedSnapshotExpires(t *testing.T) {
	e := open(t, dialects[0].dsn(t))
	s := e.service()
	ctx := context.Background()
	r := register(t, s, "cluster-a")
	a, _ := s.Authenticate(ctx, r.AgentID, r.Credential)
	part := agentproto.SnapshotPart{Version: 1, Session: "s1", Objects: []agentproto.Object{obj("Pod", "ns", "a", "u1", "1")}}
	if ack, err := s.Snapshot(ctx, a, part); err != nil || ack.Resync {
		t.Fatalf("part 0: %+v %v", ack, err)
	}
	e.clock = e.clock.Add(11 * time.Minute)
	part.Part, part.Final = 1, true
	if ack, err := s.Snapshot(ctx, a, part); err != nil || !ack.Resync {
		t.Fatalf("a part after the snapshot expired: %+v %v, want a resync", ack, err)
	}
}
