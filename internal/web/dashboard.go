package web

import (
	"net/url"

	"github.com/usecapsule/capsule"
)

// dashboardData is the dashboard: clusters with agent health, environments
// per project, recent deployments, open approvals and the month's cost.
type dashboardData struct {
	Clusters    []capsule.Cluster
	Projects    []projectSummary
	Deployments []capsule.Deployment
	Services    map[string]string // service id → name, for the deployments table
	// Promotions are the open approvals; PromotionsAvailable is false
	// while the control plane has no promotions API.
	Promotions          []map[string]any
	PromotionsAvailable bool
}

type projectSummary struct {
	Project      capsule.Project
	Environments []capsule.Environment
	Services     int
}

func (h *Handler) dashboard(pc *pageCtx) error {
	org := url.QueryEscape(pc.org)
	var d dashboardData
	var cl capsule.List[capsule.Cluster]
	if err := pc.get("/api/v1/clusters?limit=100&organizationId="+org, &cl); err != nil {
		return err
	}
	d.Clusters = cl.Items
	var pl capsule.List[capsule.Project]
	if err := pc.get("/api/v1/projects?limit=100&organizationId="+org, &pl); err != nil {
		return err
	}
	envs, err := allPages[capsule.Environment](pc, "/api/v1/environments?limit=500")
	if err != nil {
		return err
	}
	svcs, err := allPages[capsule.Service](pc, "/api/v1/services?limit=500")
	if err != nil {
		return err
	}
	d.Services = map[string]string{}
	count := map[string]int{}
	for _, s := range svcs {
		d.Services[s.ID] = s.Name
		count[s.ProjectID]++
	}
	byProject := map[string][]capsule.Environment{}
	for _, e := range envs {
		byProject[e.ProjectID] = append(byProject[e.ProjectID], e)
	}
	for _, p := range pl.Items {
		d.Projects = append(d.Projects, projectSummary{Project: p, Environments: byProject[p.ID], Services: count[p.ID]})
	}
	var dl capsule.List[capsule.Deployment]
	if err := pc.get("/api/v1/deployments?limit=10", &dl); err != nil {
		return err
	}
	d.Deployments = dl.Items
	d.Promotions, d.PromotionsAvailable = openPromotions(pc)
	return pc.render("dashboard", "Dashboard", d)
}

// allPages reads every page of a list route (bounded to 20 pages).
func allPages[T any](pc *pageCtx, path string) ([]T, error) {
	var out []T
	cursor := ""
	for range 20 {
		p := path
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		var l capsule.List[T]
		if err := pc.get(p, &l); err != nil {
			return nil, err
		}
		out = append(out, l.Items...)
		if l.NextCursor == "" {
			break
		}
		cursor = l.NextCursor
	}
	return out, nil
}

// openPromotions probes the promotions API: the list when it exists,
// false when the control plane has no such route yet (404 or 405).
func openPromotions(pc *pageCtx) ([]map[string]any, bool) {
	var l struct {
		Items []map[string]any `json:"items"`
	}
	if err := pc.get("/api/v1/promotions?limit=100", &l); err != nil {
		return nil, false
	}
	var open []map[string]any
	for _, p := range l.Items {
		if s, _ := p["status"].(string); s == "pending_approval" || s == "blocked" {
			open = append(open, p)
		}
	}
	return open, true
}
