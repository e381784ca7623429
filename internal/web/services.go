package web

import (
	"bufio"
	"net/url"
	"strconv"
	"strings"

	"github.com/usecapsule/capsule"
)

type serviceData struct {
	Service      capsule.Service
	Project      capsule.Project
	Environments []capsule.Environment
	Revisions    []capsule.ServiceRevision
	Deployments  []capsule.Deployment
	EnvNames     map[string]string
	ServiceTypes []string
}

func (h *Handler) service(pc *pageCtx) error {
	id := pc.r.PathValue("id")
	var d serviceData
	if err := pc.get("/api/v1/services/"+url.PathEscape(id), &d.Service); err != nil {
		return err
	}
	if err := pc.get("/api/v1/projects/"+url.PathEscape(d.Service.ProjectID), &d.Project); err != nil {
		return err
	}
	var err error
	if d.Environments, err = allPages[capsule.Environment](pc, "/api/v1/environments?limit=500&projectId="+url.QueryEscape(d.Service.ProjectID)); err != nil {
		return err
	}
	d.EnvNames = map[string]string{}
	for _, e := range d.Environments {
		d.EnvNames[e.ID] = e.Name
	}
	var rl capsule.List[capsule.ServiceRevision]
	if err := pc.get("/api/v1/services/"+url.PathEscape(id)+"/revisions?limit=20", &rl); err != nil {
		return err
	}
	d.Revisions = rl.Items
	var dl capsule.List[capsule.Deployment]
	if err := pc.get("/api/v1/deployments?limit=20&serviceId="+url.QueryEscape(id), &dl); err != nil {
		return err
	}
	d.Deployments = dl.Items
	d.ServiceTypes = []string{capsule.ServiceWeb, capsule.ServiceAPI, capsule.ServiceWorker, capsule.ServiceStatic, capsule.ServiceCron}
	return pc.render("service", d.Service.Name, d)
}

// editService changes a service's image, port and replicas; the API makes
// a new revision when the configuration changed.
func (h *Handler) editService(pc *pageCtx) error {
	path := "/api/v1/services/" + url.PathEscape(pc.r.PathValue("id"))
	var s capsule.Service
	if err := pc.get(path, &s); err != nil {
		return err
	}
	f := pc.r.PostFormValue
	s.Name, s.Source.Image = strings.TrimSpace(f("name")), strings.TrimSpace(f("image"))
	if err := intField(f("port"), "port", &s.Config.Networking.Port); err != nil {
		return err
	}
	if err := intField(f("minReplicas"), "minReplicas", &s.Config.Scaling.MinReplicas); err != nil {
		return err
	}
	if err := pc.api("PUT", path, s, nil); err != nil {
		return err
	}
	return pc.redirect(path[len("/api/v1"):])
}

// intField parses an optional whole number of a form into *dst.
func intField(v, name string, dst *int) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return badForm(name, "must be a whole number, not "+strconv.Quote(v))
	}
	*dst = n
	return nil
}

// serviceAction posts a deploy, rollback or scale form to the API route of
// the same name; the API decides whether the user may (deploy permission
// per environment kind).
func (h *Handler) serviceAction(action string) func(*pageCtx) error {
	return func(pc *pageCtx) error {
		id := pc.r.PathValue("id")
		f := pc.r.PostFormValue
		body := map[string]any{"environmentId": f("environmentId")}
		switch action {
		case "deploy":
			if img := strings.TrimSpace(f("image")); img != "" {
				body["image"] = img
			}
		case "rollback":
			var rev int
			if err := intField(f("revision"), "revision", &rev); err != nil {
				return err
			}
			if rev > 0 {
				body["revision"] = rev
			}
		case "scale":
			var n int
			if strings.TrimSpace(f("replicas")) == "" {
				return badForm("replicas", "is required")
			}
			if err := intField(f("replicas"), "replicas", &n); err != nil {
				return err
			}
			body["replicas"] = n
		}
		if err := pc.api("POST", "/api/v1/services/"+url.PathEscape(id)+"/"+action, body, nil); err != nil {
			return err
		}
		return pc.redirect("/services/" + url.PathEscape(id) + "#deployments")
	}
}

type logsData struct {
	Deployment capsule.Deployment
	Query      string
	Since      string
	Lines      []string
	Total      int
}

// logs shows a deployment's pod logs, filtered by a search (a substring,
// case-insensitive); the page's script follows new lines over the events
// stream.
func (h *Handler) logs(pc *pageCtx) error {
	id := pc.r.PathValue("id")
	d := logsData{Query: pc.r.URL.Query().Get("q"), Since: pc.r.URL.Query().Get("since")}
	if d.Since == "" {
		d.Since = "1h"
	}
	if err := pc.get("/api/v1/deployments/"+url.PathEscape(id), &d.Deployment); err != nil {
		return err
	}
	res, err := pc.do("GET", "/api/v1/deployments/"+url.PathEscape(id)+"/logs?since="+url.QueryEscape(d.Since), nil)
	if err != nil {
		return err
	}
	if err := res.decode(nil); err != nil {
		return err
	}
	q := strings.ToLower(d.Query)
	sc := bufio.NewScanner(&res.body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		d.Total++
		if q == "" || strings.Contains(strings.ToLower(sc.Text()), q) {
			d.Lines = append(d.Lines, sc.Text())
		}
	}
	return pc.render("logs", "Logs", d)
}
