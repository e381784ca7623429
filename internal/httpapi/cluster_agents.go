package httpapi

import (
	"bytes"
	"net/http"
	"time"

	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/inventory"
)

// JoinToken is the answer to POST /clusters/{id}/join-tokens: the token is
// shown once (only its hash is stored) and works for one registration.
type JoinToken struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// AgentList is a cluster's agents, newest first.
type AgentList struct {
	Items []inventory.Agent `json:"items"`
}

// InventoryList is a page of a cluster's objects.
type InventoryList struct {
	Items      []agentproto.Object `json:"items"`
	NextCursor string              `json:"nextCursor,omitempty"`
}

// HelmReleaseList is a cluster's Helm releases.
type HelmReleaseList struct {
	Items []inventory.HelmRelease `json:"items"`
}

// SnapshotList is a cluster's stored snapshots, newest first.
type SnapshotList struct {
	Items []inventory.SnapshotRecord `json:"items"`
}

// clusterID is the route's cluster id in the form the clusters table
// holds it, so the inventory's rows match the cluster's whatever case the
// caller wrote the UUID in.
func clusterID(r *http.Request) string {
	if id, ok := database.CanonicalID(r.PathValue("id")); ok {
		return id
	}
	return r.PathValue("id")
}

// clusterOrg is the organization the guard resolved the route's cluster to.
func clusterOrg(r *http.Request) string {
	t, _ := r.Context().Value(targetKey{}).(target)
	return t.scope.OrgID
}

func (a *API) createJoinToken(w http.ResponseWriter, r *http.Request) error {
	inv, err := a.inventory()
	if err != nil {
		return err
	}
	tok, exp, err := inv.IssueJoinToken(r.Context(), clusterID(r), clusterOrg(r), CallerFrom(r.Context()).UserID, inventory.DefaultJoinTokenTTL)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, JoinToken{Token: tok, ExpiresAt: exp})
	return nil
}

func (a *API) listClusterAgents(w http.ResponseWriter, r *http.Request) error {
	inv, err := a.inventory()
	if err != nil {
		return err
	}
	as, err := inv.Agents(r.Context(), clusterID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, AgentList{Items: as})
	return nil
}

func (a *API) clusterAgentStatus(w http.ResponseWriter, r *http.Request) error {
	inv, err := a.inventory()
	if err != nil {
		return err
	}
	st, err := inv.Status(r.Context(), clusterID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (a *API) agentStatus(w http.ResponseWriter, r *http.Request) error {
	inv, err := a.inventory()
	if err != nil {
		return err
	}
	ag, err := inv.Agent(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ag)
	return nil
}

func (a *API) clusterInventory(w http.ResponseWriter, r *http.Request) error {
	inv, err := a.inventory()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p, err := pageParam(q)
	if err != nil {
		return err
	}
	objs, next, err := inv.ObjectsPage(r.Context(), clusterID(r), q.Get("kind"), q.Get("namespace"), p.Cursor, p.Limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, InventoryList{Items: objs, NextCursor: next})
	return nil
}

func (a *API) clusterHelmReleases(w http.ResponseWriter, r *http.Request) error {
	inv, err := a.inventory()
	if err != nil {
		return err
	}
	rels, err := inv.HelmReleases(r.Context(), clusterID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, HelmReleaseList{Items: rels})
	return nil
}

func (a *API) listClusterSnapshots(w http.ResponseWriter, r *http.Request) error {
	inv, err := a.inventory()
	if err != nil {
		return err
	}
	l, err := inv.Snapshots(r.Context(), clusterID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, SnapshotList{Items: l})
	return nil
}

func (a *API) createClusterSnapshot(w http.ResponseWriter, r *http.Request) error {
	inv, err := a.inventory()
	if err != nil {
		return err
	}
	rec, err := inv.TakeSnapshot(r.Context(), clusterID(r), CallerFrom(r.Context()).UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rec)
	return nil
}

// getClusterSnapshot answers the snapshot's cluster state: a JSON v1 List
// that `capsule preview --cluster-state` and POST /previews read as is.
func (a *API) getClusterSnapshot(w http.ResponseWriter, r *http.Request) error {
	inv, err := a.inventory()
	if err != nil {
		return err
	}
	_, data, err := inv.SnapshotState(r.Context(), clusterID(r), r.PathValue("snapshotId"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = bytes.NewReader(data).WriteTo(w)
	return err
}

func (a *API) revokeAgent(w http.ResponseWriter, r *http.Request) error {
	inv, err := a.inventory()
	if err != nil {
		return err
	}
	if err := inv.Revoke(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
