package kube_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/kube"
	"github.com/usecapsule/capsule/internal/secretbox"
	"github.com/usecapsule/capsule/internal/sqlstore"
	"github.com/usecapsule/capsule/internal/testenv"
)

// TestStoredRESTConfig: a credential sealed in the secret store, as the
// API stores it, opens to a configuration that passes the access check.
func TestStoredRESTConfig(t *testing.T) {
	t.Parallel()
	c := testenv.Shared(t)
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "capsule.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	org := &capsule.Organization{Name: "Acme", Slug: "acme"}
	if err := st.CreateOrganization(ctx, org, ""); err != nil {
		t.Fatal(err)
	}
	kek, err := secretbox.NewKEK(bytes.Repeat([]byte{3}, secretbox.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	ring := secretbox.NewKeyring(kek)
	ids := identitystore.New(st)
	cred := kubeconfig(t, c.Kubeconfig)
	sec := &identity.Secret{OrganizationID: org.ID, Name: "capsule.cluster.x.credential", CreatedBy: "test"}
	if err := ids.PutSecret(ctx, sec, func(id string, v int) (secretbox.Sealed, error) {
		return ring.Seal(cred.Marshal(), identity.SecretAAD(id, v))
	}, time.Now()); err != nil {
		t.Fatal(err)
	}
	rc, err := kube.StoredRESTConfig(ctx, ids, ring, sec.ID, loopback)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kube.Check(ctx, rc); err != nil {
		t.Fatalf("Check with the stored credential: %v", err)
	}
	if _, err := kube.StoredRESTConfig(ctx, ids, ring, ""); err == nil {
		t.Fatal("a cluster without a credential opened")
	}
}
