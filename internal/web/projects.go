package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/usecapsule/capsule"
)

func (h *Handler) projects(pc *pageCtx) error {
	var pl capsule.List[capsule.Project]
	if err := pc.get("/api/v1/projects?limit=500&organizationId="+url.QueryEscape(pc.org), &pl); err != nil {
		return err
	}
	return pc.render("projects", "Projects", pl.Items)
}

// slugOf makes a DNS label from a name when the form leaves the slug
// empty: lower case, runs of other characters as one dash, at most 63.
func slugOf(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 63 {
		s = strings.Trim(s[:63], "-")
	}
	return s
}

func (h *Handler) createProject(pc *pageCtx) error {
	f := pc.r.PostFormValue
	p := capsule.Project{OrganizationID: pc.org, Name: strings.TrimSpace(f("name")), Slug: strings.TrimSpace(f("slug")),
		Repository: capsule.Repository{URL: strings.TrimSpace(f("repository")), Branch: strings.TrimSpace(f("branch"))}}
	if p.Slug == "" {
		p.Slug = slugOf(p.Name)
	}
	var out capsule.Project
	if err := pc.api("POST", "/api/v1/projects", p, &out); err != nil {
		return err
	}
	return pc.redirect("/projects/" + url.PathEscape(out.ID))
}

type projectData struct {
	Project      capsule.Project
	Environments []capsule.Environment
	Services     []capsule.Service
	Clusters     []capsule.Cluster
	EnvKinds     []string
	ServiceTypes []string
}

func (h *Handler) project(pc *pageCtx) error {
	id := pc.r.PathValue("id")
	var d projectData
	if err := pc.get("/api/v1/projects/"+url.PathEscape(id), &d.Project); err != nil {
		return err
	}
	var err error
	if d.Environments, err = allPages[capsule.Environment](pc, "/api/v1/environments?limit=500&projectId="+url.QueryEscape(id)); err != nil {
		return err
	}
	if d.Services, err = allPages[capsule.Service](pc, "/api/v1/services?limit=500&projectId="+url.QueryEscape(id)); err != nil {
		return err
	}
	var cl capsule.List[capsule.Cluster]
	if err := pc.get("/api/v1/clusters?limit=100&organizationId="+url.QueryEscape(d.Project.OrganizationID), &cl); err != nil {
		return err
	}
	d.Clusters = cl.Items
	d.EnvKinds = []string{capsule.EnvDevelopment, capsule.EnvStaging, capsule.EnvProduction, capsule.EnvPreview}
	d.ServiceTypes = []string{capsule.ServiceWeb, capsule.ServiceAPI, capsule.ServiceWorker, capsule.ServiceStatic, capsule.ServiceCron}
	return pc.render("project", d.Project.Name, d)
}

// editProject changes a project's name and repository: the current record
// is read first, so the API's version check refuses a concurrent change.
func (h *Handler) editProject(pc *pageCtx) error {
	id := pc.r.PathValue("id")
	path := "/api/v1/projects/" + url.PathEscape(id)
	var p capsule.Project
	if err := pc.get(path, &p); err != nil {
		return err
	}
	f := pc.r.PostFormValue
	p.Name, p.Repository.URL, p.Repository.Branch = strings.TrimSpace(f("name")), strings.TrimSpace(f("repository")), strings.TrimSpace(f("branch"))
	if err := pc.api("PUT", path, p, nil); err != nil {
		return err
	}
	return pc.redirect(path[len("/api/v1"):])
}

func (h *Handler) createEnvironment(pc *pageCtx) error {
	f := pc.r.PostFormValue
	e := capsule.Environment{ProjectID: pc.r.PathValue("id"), Name: strings.TrimSpace(f("name")), Kind: f("kind"),
		Namespace: strings.TrimSpace(f("namespace")), ClusterID: f("clusterId"), DeliveryMode: f("deliveryMode")}
	if err := pc.api("POST", "/api/v1/environments", e, nil); err != nil {
		return err
	}
	return pc.redirect("/projects/" + url.PathEscape(e.ProjectID))
}

func (h *Handler) editEnvironment(pc *pageCtx) error {
	path := "/api/v1/environments/" + url.PathEscape(pc.r.PathValue("id"))
	var e capsule.Environment
	if err := pc.get(path, &e); err != nil {
		return err
	}
	f := pc.r.PostFormValue
	e.Name, e.Namespace, e.ClusterID = strings.TrimSpace(f("name")), strings.TrimSpace(f("namespace")), f("clusterId")
	if err := pc.api("PUT", path, e, nil); err != nil {
		return err
	}
	return pc.redirect("/projects/" + url.PathEscape(e.ProjectID))
}

func (h *Handler) createService(pc *pageCtx) error {
	f := pc.r.PostFormValue
	s := capsule.Service{ProjectID: pc.r.PathValue("id"), Name: strings.TrimSpace(f("name")), Type: f("type"),
		Source: capsule.ServiceSource{Image: strings.TrimSpace(f("image")), Repository: strings.TrimSpace(f("repository"))}}
	if v := strings.TrimSpace(f("port")); v != "" {
		port, err := strconv.Atoi(v)
		if err != nil {
			return badForm("port", "must be a number, not "+strconv.Quote(v))
		}
		s.Config.Networking.Port = port
	}
	var out capsule.Service
	if err := pc.api("POST", "/api/v1/services", s, &out); err != nil {
		return err
	}
	return pc.redirect("/services/" + url.PathEscape(out.ID))
}

// badForm is a form field the UI itself cannot turn into an API request.
func badForm(field, msg string) error {
	return &apiError{Status: http.StatusBadRequest, Code: capsule.CodeValidation, Message: field + ": " + msg}
}
