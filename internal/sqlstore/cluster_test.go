package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestClusterStore(t *testing.T) {
	forEachDialect(t, []storeCase{
		{"crud", testClusters},
		{"environments refer to clusters", testClusterReferences},
	})
}

func testClusters(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c := &capsule.Cluster{OrganizationID: f.org.ID, Name: "prod-eu", CloudProvider: "aws", Region: "eu-west-1",
		Metadata: map[string]string{"team": "platform"}}
	must(t, s.CreateCluster(ctx, c))
	if c.Version != 1 || c.Status != capsule.ClusterRegistered || c.AgentStatus != capsule.AgentNone || c.HasCredential {
		t.Fatalf("created %+v", c)
	}
	got, err := s.FindCluster(ctx, c.ID)
	must(t, err)
	equal(t, got, c)
	wantCode(t, s.CreateCluster(ctx, &capsule.Cluster{OrganizationID: f.org.ID, Name: "prod-eu"}), "CLUSTER_ALREADY_EXISTS")
	wantCode(t, s.CreateCluster(ctx, &capsule.Cluster{OrganizationID: "0190c9d4-0000-7000-8000-000000000000", Name: "x"}), "ORGANIZATION_NOT_FOUND")

	checked := time.Date(2026, 12, 7, 10, 0, 0, 123456000, time.UTC)
	withCred, err := s.SetClusterCredential(ctx, c.ID, capsule.ClusterCheck{SecretID: "sec-1", ServerVersion: "v1.34.3", CheckedAt: checked})
	must(t, err)
	if !withCred.HasCredential || withCred.Status != capsule.ClusterConnected || withCred.ServerVersion != "v1.34.3" ||
		withCred.CheckedAt == nil || !withCred.CheckedAt.Equal(checked) || withCred.Version != 2 || withCred.CredentialSecretID != "sec-1" {
		t.Fatalf("with a credential: %+v", withCred)
	}
	withCred.Region, withCred.Metadata = "eu-central-1", map[string]string{}
	must(t, s.UpdateCluster(ctx, withCred))
	if withCred.Version != 3 || withCred.Region != "eu-central-1" || !withCred.HasCredential || len(withCred.Metadata) != 0 {
		t.Fatalf("updated %+v", withCred)
	}
	stale := *withCred
	stale.Version = 1
	wantCode(t, s.UpdateCluster(ctx, &stale), "VERSION_CONFLICT")
	none, err := s.SetClusterCredential(ctx, c.ID, capsule.ClusterCheck{})
	must(t, err)
	if none.HasCredential || none.CheckedAt != nil || none.Status != capsule.ClusterRegistered {
		t.Fatalf("without a credential: %+v", none)
	}

	other := newFixture(t, s)
	must(t, s.CreateCluster(ctx, &capsule.Cluster{OrganizationID: other.org.ID, Name: "prod-eu"})) // names are per organization
	l, err := s.ListClusters(ctx, capsule.ClusterFilter{OrganizationIDs: []string{f.org.ID}})
	must(t, err)
	if len(l.Items) != 1 || l.Items[0].ID != c.ID {
		t.Fatalf("membership restriction: %+v", l.Items)
	}
	l, err = s.ListClusters(ctx, capsule.ClusterFilter{Name: "prod-eu", OrganizationIDs: []string{f.org.ID, other.org.ID}})
	must(t, err)
	if len(l.Items) != 2 {
		t.Fatalf("name filter: %d clusters, want 2", len(l.Items))
	}
	must(t, s.DeleteCluster(ctx, c.ID))
	wantCode(t, s.DeleteCluster(ctx, c.ID), "CLUSTER_NOT_FOUND")
	_, err = s.FindCluster(ctx, "not-an-id")
	wantCode(t, err, "CLUSTER_NOT_FOUND")
}

// testClusterReferences: an environment may name a cluster of its own
// organization only, and a cluster in use cannot be deleted; the refusal
// names the environments.
func testClusterReferences(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	c := &capsule.Cluster{OrganizationID: f.org.ID, Name: "prod"}
	must(t, s.CreateCluster(ctx, c))
	other := newFixture(t, s)
	foreign := &capsule.Cluster{OrganizationID: other.org.ID, Name: "theirs"}
	must(t, s.CreateCluster(ctx, foreign))

	e := wantCode(t, s.CreateEnvironment(ctx, &capsule.Environment{ProjectID: f.project.ID, Name: "qa", Kind: capsule.EnvStaging, ClusterID: foreign.ID}),
		"CLUSTER_NOT_FOUND")
	if e.Details["field"] != "clusterId" {
		t.Fatalf("refusal details %v", e.Details)
	}
	wantCode(t, s.CreateEnvironment(ctx, &capsule.Environment{ProjectID: f.project.ID, Name: "qa", Kind: capsule.EnvStaging, ClusterID: "junk"}),
		"CLUSTER_NOT_FOUND")
	prod := &capsule.Environment{ProjectID: f.project.ID, Name: "production", Kind: capsule.EnvProduction, ClusterID: c.ID}
	must(t, s.CreateEnvironment(ctx, prod))
	back, err := s.FindEnvironment(ctx, prod.ID)
	must(t, err)
	if back.ClusterID != c.ID {
		t.Fatalf("stored clusterId %q, want %q", back.ClusterID, c.ID)
	}
	f.env.ClusterID = foreign.ID
	wantCode(t, s.UpdateEnvironment(ctx, f.env), "CLUSTER_NOT_FOUND")
	f.env.ClusterID = c.ID
	must(t, s.UpdateEnvironment(ctx, f.env))

	e = wantCode(t, s.DeleteCluster(ctx, c.ID), "CLUSTER_IN_USE")
	if got, _ := e.Details["environments"].([]string); !slices.Equal(got, []string{"shop/production", "shop/staging"}) {
		t.Fatalf("in-use refusal names %v", e.Details["environments"])
	}
	f.env.ClusterID = ""
	must(t, s.UpdateEnvironment(ctx, f.env))
	must(t, s.DeleteEnvironment(ctx, prod.ID))
	must(t, s.DeleteCluster(ctx, c.ID))
}
