package web

import (
	"net/url"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/inventory"
)

func (h *Handler) clusters(pc *pageCtx) error {
	var cl capsule.List[capsule.Cluster]
	if err := pc.get("/api/v1/clusters?limit=500&organizationId="+url.QueryEscape(pc.org), &cl); err != nil {
		return err
	}
	return pc.render("clusters", "Clusters", cl.Items)
}

type clusterData struct {
	Cluster   capsule.Cluster
	Status    inventory.ClusterStatus
	Releases  []inventory.HelmRelease
	Snapshots []inventory.SnapshotRecord
}

func (h *Handler) cluster(pc *pageCtx) error {
	base := "/api/v1/clusters/" + url.PathEscape(pc.r.PathValue("id"))
	var d clusterData
	if err := pc.get(base, &d.Cluster); err != nil {
		return err
	}
	if err := pc.get(base+"/agent-status", &d.Status); err != nil {
		return err
	}
	var rl struct {
		Items []inventory.HelmRelease `json:"items"`
	}
	if err := pc.get(base+"/helm/releases", &rl); err != nil {
		return err
	}
	d.Releases = rl.Items
	var sl struct {
		Items []inventory.SnapshotRecord `json:"items"`
	}
	if err := pc.get(base+"/snapshots", &sl); err != nil {
		return err
	}
	d.Snapshots = sl.Items
	return pc.render("cluster", d.Cluster.Name, d)
}
