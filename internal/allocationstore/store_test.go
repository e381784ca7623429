package allocationstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/allocationstore"
	"github.com/usecapsule/capsule/internal/cost"
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
	{"postgres", func(t testing.TB) string { return pgtest.StartFrom(t, "allocationstore", migrated) }},
}

func migrated(url string) error {
	s, err := sqlstore.Open(context.Background(), url, sqlstore.Options{})
	if err != nil {
		return err
	}
	return s.Close()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// world is an organization with a project, a cluster whose agent reported
// a picture, a production environment in namespace shop-prod and a
// service api, in a real store.
type world struct {
	st      *sqlstore.Store
	alloc   *allocationstore.Store
	inv     *inventorystore.Store
	org     *capsule.Organization
	project *capsule.Project
	cluster *capsule.Cluster
	prod    *capsule.Environment
	staging *capsule.Environment
	api     *capsule.Service
}

func newWorld(t *testing.T, dsn string) *world {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	must(t, err)
	t.Cleanup(func() { st.Close() })
	w := &world{st: st, alloc: allocationstore.New(st), inv: inventorystore.New(st)}
	u := &capsule.User{Email: "a@example.com", Name: "A", PasswordHash: "hash"}
	must(t, st.CreateUser(ctx, u))
	w.org = &capsule.Organization{Name: "Acme", Slug: "acme"}
	must(t, st.CreateOrganization(ctx, w.org, u.ID))
	w.project = &capsule.Project{OrganizationID: w.org.ID, Name: "Shop", Slug: "shop"}
	must(t, st.CreateProject(ctx, w.project))
	w.cluster = &capsule.Cluster{OrganizationID: w.org.ID, Name: "prod-eks"}
	must(t, st.CreateCluster(ctx, w.cluster))
	w.staging = &capsule.Environment{ProjectID: w.project.ID, Name: "staging", Kind: capsule.EnvStaging, ClusterID: w.cluster.ID, Namespace: "shop-staging"}
	must(t, st.CreateEnvironment(ctx, w.staging))
	w.prod = &capsule.Environment{ProjectID: w.project.ID, Name: "production", Kind: capsule.EnvProduction, ClusterID: w.cluster.ID, Namespace: "shop-prod"}
	must(t, st.CreateEnvironment(ctx, w.prod))
	w.api = &capsule.Service{ProjectID: w.project.ID, Name: "api", Type: capsule.ServiceAPI}
	must(t, st.CreateService(ctx, w.api, "alice"))
	return w
}

func body(t testing.TB, m map[string]any) agentproto.Object {
	b, err := json.Marshal(m)
	must(t, err)
	md := m["metadata"].(map[string]any)
	ns, _ := md["namespace"].(string)
	return agentproto.Object{Kind: m["kind"].(string), Namespace: ns, Name: md["name"].(string),
		UID: fmt.Sprint(m["kind"], "/", ns, "/", md["name"]), ResourceVersion: "1", Body: b}
}

func pod(t testing.TB, ns, name, node, cpu, mem string, labels map[string]any) agentproto.Object {
	return body(t, map[string]any{"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": labels},
		"spec": map[string]any{"nodeName": node, "containers": []any{map[string]any{"name": "c", "image": "i",
			"resources": map[string]any{"requests": map[string]any{"cpu": cpu, "memory": mem}}}}},
		"status": map[string]any{"phase": "Running"}})
}

// report registers an agent for the cluster and commits its picture
// through the inventory service, as a real agent's snapshot does.
func (w *world) report(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	svc := inventory.New(inventory.Config{Store: w.inv})
	tok, _, err := svc.IssueJoinToken(ctx, w.cluster.ID, w.org.ID, "user-1", time.Hour)
	must(t, err)
	r, err := svc.Register(ctx, agentproto.RegisterRequest{Version: 1, Token: tok, AgentVersion: "v1"}, "")
	must(t, err)
	a, err := svc.Authenticate(ctx, r.AgentID, r.Credential)
	must(t, err)
	objs := []agentproto.Object{
		body(t, map[string]any{"apiVersion": "v1", "kind": "Node", "metadata": map[string]any{"name": "n1"},
			"status": map[string]any{"capacity": map[string]any{"cpu": "4", "memory": "8Gi"}}}),
		pod(t, "shop-prod", "api-1", "n1", "1", "2Gi", map[string]any{"team": "payments", "app.kubernetes.io/part-of": "shop",
			"capsule.dev/service": "api", "capsule.dev/environment": "production"}),
		pod(t, "shop-staging", "api-1", "n1", "500m", "1Gi", map[string]any{"team": "payments", "app.kubernetes.io/part-of": "shop",
			"capsule.dev/service": "api", "capsule.dev/environment": "staging"}),
		pod(t, "search", "es-0", "n1", "1", "2Gi", map[string]any{"team": "discovery"}),
		pod(t, "kube-system", "dns", "n1", "100m", "128Mi", nil),
		body(t, map[string]any{"apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics",
			"metadata":   map[string]any{"name": "api-1", "namespace": "shop-prod"},
			"containers": []any{map[string]any{"name": "c", "usage": map[string]any{"cpu": "250m", "memory": "1Gi"}}}}),
	}
	ack, err := svc.Snapshot(ctx, a, agentproto.SnapshotPart{Version: 1, Session: "s1", Seq: 1, Final: true, Objects: objs,
		Kinds: []string{"Node", "Pod", "PodMetrics"}})
	must(t, err)
	if ack.Resync {
		t.Fatalf("snapshot not taken: %+v", ack)
	}
}

// TestSamplesFromAgentPicture samples a reported picture once per slot
// (a second replica's attempt at the same slot records nothing) and
// summarizes it by every group.
func TestSamplesFromAgentPicture(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, d.dsn(t))
			w.report(t)
			smp := &allocationstore.Sampler{Store: w.alloc, Pictures: w.inv, Pricing: cost.DefaultPricing(), Interval: time.Hour}
			now := time.Now().UTC()
			n, err := smp.SampleAll(ctx, now)
			must(t, err)
			if n != 1 {
				t.Fatalf("recorded %d samples, want 1", n)
			}
			if n, err := smp.SampleAll(ctx, now); err != nil || n != 0 {
				t.Fatalf("same slot again recorded %d (%v), want 0", n, err)
			}
			day := now.Format("2006-01-02")
			q := allocationstore.Query{OrganizationID: w.org.ID, From: day, To: day}
			// Groups come by total cost, then name: search and shop-prod
			// both request 1 vCPU + 2 GiB (shop-prod's usage is below it).
			want := map[string][]string{
				"team":        {"payments", "discovery"},
				"project":     {"shop", allocation.Unallocated},
				"service":     {"api", allocation.Unallocated},
				"namespace":   {"search", "shop-prod", "shop-staging"},
				"cluster":     {w.cluster.ID},
				"environment": {allocation.Unallocated, "production", "staging"},
			}
			for _, g := range allocation.Groups {
				totals, err := w.alloc.Totals(ctx, q, g)
				must(t, err)
				s := allocation.Summarize(totals, allocation.DefaultSharedRule(), allocation.Window{})
				var names []string
				for _, x := range s.Groups {
					names = append(names, x.Name)
				}
				if fmt.Sprint(names) != fmt.Sprint(want[g]) {
					t.Errorf("group %s: %v, want %v", g, names, want[g])
				}
				// kube-system's 0.1 vCPU + 128 MiB is shared; the idle
				// remainder of the node is apart: 4 vCPU + 8 GiB − 2.6 vCPU − 5.125 GiB.
				if s.Shared != "0.00" || s.Idle != "0.06" {
					t.Errorf("group %s: shared %s idle %s", g, s.Shared, s.Idle)
				}
			}
			totals, err := w.alloc.Totals(ctx, q, "namespace")
			must(t, err)
			s := allocation.Summarize(totals, allocation.DefaultSharedRule(), allocation.Window{})
			if g := s.Groups[1]; g.Name != "shop-prod" || g.CPUCost != "0.03" || g.MemoryCost != "0.01" || g.Efficiency == nil || *g.Efficiency >= 0.5 {
				t.Errorf("shop-prod: %+v", g)
			}
			if _, err := w.alloc.Totals(ctx, q, "colour"); err == nil {
				t.Error("an unknown group is accepted")
			}
		})
	}
}

// TestAnomalyLinkedToPromotion: a quiet month, then a day at four times
// the cost in shop-prod after a promotion of api into production was
// delivered that morning. The anomaly is raised on that day for the
// cluster, the namespace and the service, each linked to the promotion;
// the quiet staging namespace raises none.
func TestAnomalyLinkedToPromotion(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, d.dsn(t))
			today := time.Now().UTC().Truncate(24 * time.Hour)
			var rows []allocation.Row
			for i := 28; i >= 0; i-- {
				day := today.AddDate(0, 0, -i).Format("2006-01-02")
				prod := int64(10_000_000_000 + (i%3)*100_000_000)
				if i == 0 {
					prod = 40_000_000_000
				}
				rows = append(rows,
					allocation.Row{ClusterID: w.cluster.ID, Day: day, Namespace: "shop-prod", Workload: "Deployment/api", Service: "api", CPUCost: prod},
					allocation.Row{ClusterID: w.cluster.ID, Day: day, Namespace: "shop-staging", Workload: "Deployment/api", Service: "api", CPUCost: 5_000_000_000},
					allocation.Row{ClusterID: w.cluster.ID, Day: day, Workload: allocation.Idle, CPUCost: int64(i) * 1_000_000_000})
			}
			must(t, w.alloc.Insert(ctx, w.org.ID, rows))
			promo := &capsule.Promotion{OrganizationID: w.org.ID, ProjectID: w.project.ID, ServiceID: w.api.ID,
				SourceEnvID: w.staging.ID, TargetEnvID: w.prod.ID, SourceRevision: 1, RiskLevel: "low",
				TargetFingerprint: "t", SourceFingerprint: "s", RequestedBy: "alice"}
			art := &capsule.PromotionArtifact{Diff: json.RawMessage(`{}`), EstimatedCost: json.RawMessage(`{}`), RiskLevel: "low",
				Risks: json.RawMessage(`[]`), NotAssessed: json.RawMessage(`[]`)}
			must(t, w.st.CreatePromotion(ctx, promo, art))
			_, err := w.st.UpdatePromotion(ctx, promo.ID, promo.Version, capsule.PromotionUpdate{Status: capsule.PromotionDelivered})
			must(t, err)
			q := allocationstore.Query{OrganizationID: w.org.ID, From: today.AddDate(0, 0, -28).Format("2006-01-02"), To: today.Format("2006-01-02")}
			anoms, err := w.alloc.Anomalies(ctx, q)
			must(t, err)
			got := map[string]allocation.Anomaly{}
			for _, a := range anoms {
				got[a.WorkloadID] = a
			}
			if len(anoms) != 3 {
				t.Fatalf("anomalies %+v, want cluster, shop-prod and shop-prod/api", anoms)
			}
			for _, scope := range []string{"", "shop-prod", "shop-prod/api"} {
				a, ok := got[scope]
				if !ok || a.PromotionID != promo.ID || a.AnomalyType != "spike" || !a.Timestamp.Equal(today) ||
					a.DeltaUSD != "29.90" || a.ConfirmedByBill || a.ClusterID != w.cluster.ID {
					t.Errorf("scope %q: %+v", scope, a)
				}
			}
		})
	}
}
