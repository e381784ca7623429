package httpapi

import (
	"context"
	"crypto/rand"
	"net/http"
	"strings"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/gitevents"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/kube"
)

// ClusterRequest is the body of POST /clusters. The organization comes from
// organization_id here or organizationId in the query (they must agree),
// else the caller's only or default organization, as for projects.
// Metadata is a flat string→string map (labels such as team or cost
// centre), bounded by capsule.MaxClusterMetadataKeys.
type ClusterRequest struct {
	OrganizationID string            `json:"organization_id,omitempty"`
	Name           string            `json:"name"`
	CloudProvider  string            `json:"cloud_provider,omitempty"`
	Region         string            `json:"region,omitempty"`
	Metadata       map[string]string `json:"metadata,omitempty"`
	// Credential, when given, is checked (see PUT /clusters/{id}/credential)
	// before anything is stored.
	Credential *kube.Credential `json:"credential,omitempty"`
}

// ClusterPatch is the body of PATCH /clusters/{id}: the fields present are
// changed (metadata is replaced as a whole), the others kept. Version, when
// given (or If-Match), must be the stored one.
type ClusterPatch struct {
	Name          *string           `json:"name,omitempty"`
	CloudProvider *string           `json:"cloud_provider,omitempty"`
	Region        *string           `json:"region,omitempty"`
	Metadata      map[string]string `json:"metadata,omitempty"`
	Version       int64             `json:"version,omitempty"`
}

// clusterSecretPrefix starts the secret-store name of a cluster's write
// credential; the secrets API refuses to read, rotate, delete or create
// secrets so named (CLUSTER_CREDENTIAL_SEALED).
const clusterSecretPrefix = "capsule.cluster."

// clusterSecretName names a credential's secret: each credential a cluster
// is given is a secret of its own (the suffix), so replacing one drops the
// old secret whole instead of keeping it as an older version.
func clusterSecretName(clusterID string) string {
	return clusterSecretPrefix + clusterID + ".credential." + rand.Text()[:10]
}

// findCluster returns the cluster when it belongs to one of the caller's
// organizations; any other is reported as not found.
func findCluster(ctx context.Context, st capsule.ClusterStore, id string) (*capsule.Cluster, error) {
	c, err := st.FindCluster(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CallerFrom(ctx).IsMember(c.OrganizationID) {
		return nil, capsule.NotFound("cluster", id)
	}
	return c, nil
}

func listClusters(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		p, err := pageParam(q)
		if err != nil {
			return err
		}
		l, err := st.ListClusters(r.Context(), capsule.ClusterFilter{OrganizationID: q.Get("organizationId"),
			OrganizationIDs: CallerFrom(r.Context()).OrgIDs(), Name: q.Get("name"), Page: p})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, l)
		return nil
	}
}

func getCluster(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c, err := findCluster(r.Context(), st, r.PathValue("id"))
		if err != nil {
			return err
		}
		return entity(w, c.Version, c)
	}
}

// createCluster checks the credential (when given) before storing
// anything, then stores the cluster (its audit entry commits with it), the
// sealed credential and the check's outcome. Should one of the later
// writes fail, the cluster is removed again, so no cluster is left that
// claims a credential it does not have.
func (ac *access) createCluster(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var req ClusterRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	org := req.OrganizationID
	if org == "" {
		org = r.URL.Query().Get("organizationId")
	}
	if org == "" {
		id, err := defaultOrganization(ctx, ac.store)
		if err != nil {
			return err
		}
		org = id
	} else if !CallerFrom(ctx).IsMember(org) {
		return capsule.NotFound("organization", org)
	}
	c := &capsule.Cluster{OrganizationID: org, Name: req.Name, CloudProvider: req.CloudProvider, Region: req.Region, Metadata: req.Metadata}
	if err := c.Validate(); err != nil {
		return err
	}
	var chk *kube.Report
	if req.Credential != nil {
		var err error
		if chk, err = ac.checkCredential(ctx, *req.Credential); err != nil {
			return err
		}
	}
	if err := ac.store.CreateCluster(ctx, c); err != nil {
		return err
	}
	if chk != nil {
		stored, err := ac.storeCredential(r, c, *req.Credential, chk)
		if err != nil {
			if derr := ac.store.DeleteCluster(context.WithoutCancel(ctx), c.ID); derr != nil {
				ac.log.ErrorContext(ctx, "removing a cluster whose credential could not be stored", "cluster", c.ID, "error", derr.Error())
			}
			return err
		}
		c = stored
	}
	return created(w, "/api/v1/clusters/"+c.ID, c.Version, c)
}

// checkCredential parses cred under the address policy and runs the access
// check; a cluster that fails it is refused before anything is stored.
func (ac *access) checkCredential(ctx context.Context, cred kube.Credential) (*kube.Report, error) {
	if _, err := ac.keyringOr501(); err != nil {
		return nil, err
	}
	if cred.IsZero() {
		return nil, invalid(capsule.CodeValidation, "credential", "is empty: give kubeconfig (and context) or server, certificate_authority_data and token")
	}
	rc, err := kube.RESTConfig(cred, ac.clusterAllow...)
	if err != nil {
		return nil, err
	}
	return kube.Check(ctx, rc)
}

// storeCredential seals cred into a new secret, points the cluster at it
// with the check's outcome, and then drops the secret of the credential it
// replaces. Should pointing the cluster fail, the new secret is dropped and
// the old credential stays in force.
func (ac *access) storeCredential(r *http.Request, c *capsule.Cluster, cred kube.Credential, chk *kube.Report) (*capsule.Cluster, error) {
	ring, err := ac.keyringOr501()
	if err != nil {
		return nil, err
	}
	_, actor := principalFrom(r.Context()).actor()
	sec := &identity.Secret{OrganizationID: c.OrganizationID, Name: clusterSecretName(c.ID), CreatedBy: actor}
	if err := ac.ids.PutSecret(r.Context(), sec, sealWith(ring, string(cred.Marshal())), ac.now()); err != nil {
		return nil, err
	}
	out, err := ac.store.SetClusterCredential(r.Context(), c.ID, capsule.ClusterCheck{SecretID: sec.ID,
		ServerVersion: chk.ServerVersion, CheckedAt: chk.CheckedAt})
	if err != nil {
		ac.dropSecret(r.Context(), sec.ID)
		return nil, err
	}
	ac.dropSecret(r.Context(), c.CredentialSecretID)
	return out, nil
}

func (ac *access) patchCluster(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var p ClusterPatch
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	c, err := findCluster(r.Context(), ac.store, id)
	if err != nil {
		return err
	}
	if im := r.Header.Get("If-Match"); im != "" || p.Version != 0 {
		if err := checkVersion(r, "cluster", id, c.Version, &p.Version); err != nil {
			return err
		}
	}
	if p.Name != nil {
		c.Name = *p.Name
	}
	if p.CloudProvider != nil {
		c.CloudProvider = *p.CloudProvider
	}
	if p.Region != nil {
		c.Region = *p.Region
	}
	if p.Metadata != nil {
		c.Metadata = p.Metadata
	}
	if err := ac.store.UpdateCluster(r.Context(), c); err != nil {
		return err
	}
	return entity(w, c.Version, c)
}

// deleteCluster removes the cluster (refused while environments use it)
// and then its credential.
func (ac *access) deleteCluster(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	c, err := findCluster(r.Context(), ac.store, id)
	if err != nil {
		return err
	}
	if err := ac.store.DeleteCluster(r.Context(), id); err != nil {
		return err
	}
	ac.dropSecret(r.Context(), c.CredentialSecretID)
	return noContent(w)
}

// dropSecret deletes a credential's secret after the cluster stopped
// naming it; a failure leaves an unused sealed secret, logged.
func (ac *access) dropSecret(ctx context.Context, id string) {
	if id == "" {
		return
	}
	if err := ac.ids.DeleteSecret(context.WithoutCancel(ctx), id); err != nil && !capsule.IsNotFound(err) {
		ac.log.ErrorContext(ctx, "deleting a cluster credential's secret", "secret", id, "error", err.Error())
	}
}

// putClusterCredential checks and stores the cluster's write credential.
func (ac *access) putClusterCredential(w http.ResponseWriter, r *http.Request) error {
	var cred kube.Credential
	if err := decodeJSON(r, &cred); err != nil {
		return err
	}
	c, err := findCluster(r.Context(), ac.store, r.PathValue("id"))
	if err != nil {
		return err
	}
	chk, err := ac.checkCredential(r.Context(), cred)
	if err != nil {
		return err
	}
	if c, err = ac.storeCredential(r, c, cred, chk); err != nil {
		return err
	}
	return entity(w, c.Version, c)
}

// deleteClusterCredential forgets the credential: the cluster stays
// registered, without one.
func (ac *access) deleteClusterCredential(w http.ResponseWriter, r *http.Request) error {
	c, err := findCluster(r.Context(), ac.store, r.PathValue("id"))
	if err != nil {
		return err
	}
	if c.CredentialSecretID == "" {
		return capsule.Errorf(capsule.KindNotFound, capsule.NotFoundCode("cluster credential"), "cluster %q has no credential", c.ID)
	}
	if _, err := ac.store.SetClusterCredential(r.Context(), c.ID, capsule.ClusterCheck{}); err != nil {
		return err
	}
	ac.dropSecret(r.Context(), c.CredentialSecretID)
	return noContent(w)
}

// sealedClusterSecret refuses the secrets API's access to a cluster's
// credential: it is write-only, through the cluster's own routes.
func sealedClusterSecret(name string) error {
	if strings.HasPrefix(name, envGitSecretPrefix) {
		return capsule.Errorf(capsule.KindForbidden, capsule.CodeGitCredentialSealed,
			"%q is an environment's Git credential: it is never read, rotated, created or deleted through the secrets API (use PUT /api/v1/environments/{id}/git-credential)", name)
	}
	if strings.HasPrefix(name, gitevents.SecretPrefix) {
		return capsule.Errorf(capsule.KindForbidden, capsule.CodeWebhookSecretSealed,
			"%q is a project's webhook secret: it is shown once and never read, rotated, created or deleted through the secrets API (POST /api/v1/projects/{id}/webhook-secret makes a new one)", name)
	}
	if err := sealedOutboundSecret(name); err != nil {
		return err
	}
	if err := sealedBillingSecret(name); err != nil { // billing uploads and S3 sources
		return err
	}
	if !strings.HasPrefix(name, clusterSecretPrefix) {
		return nil
	}
	return capsule.Errorf(capsule.KindForbidden, capsule.CodeClusterCredentialSealed,
		"%q is a cluster's write credential: it is never read, rotated, created or deleted through the secrets API (use PUT or DELETE /api/v1/clusters/{id}/credential)", name)
}
