package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestEditForms: the edit forms of a project, an environment and a
// service change them through the API.
func TestEditForms(t *testing.T) {
	t.Parallel()
	f := shared(t)
	var p, e, s struct {
		ID string `json:"id"`
	}
	mustAPI(t, f.token, "POST", "/api/v1/projects", map[string]any{"name": "Edits", "slug": "edits", "organizationId": f.org}, &p)
	mustAPI(t, f.token, "POST", "/api/v1/environments", map[string]any{"projectId": p.ID, "name": "qa", "kind": "staging", "namespace": "edits-qa"}, &e)
	mustAPI(t, f.token, "POST", "/api/v1/services", map[string]any{"projectId": p.ID, "name": "api", "type": "api", "source": map[string]any{"image": "api:1"}}, &s)
	c := browser(t)
	signIn(t, c, ownerEmail, ownerPW)
	_, body := get(t, c, "/projects/"+p.ID)
	csrf := csrfOf(t, body)
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{"/projects/" + p.ID, url.Values{"name": {"Edited"}, "repository": {"https://github.com/acme/edits.git"}, "branch": {"trunk"}}},
		{"/environments/" + e.ID, url.Values{"name": {"qa2"}, "namespace": {"edits-qa2"}, "clusterId": {""}}},
		{"/services/" + s.ID, url.Values{"name": {"api2"}, "image": {"api:2"}, "port": {"9090"}, "minReplicas": {"2"}}},
	} {
		step.form.Set("csrf_token", csrf)
		if res, body := post(t, c, step.path, step.form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: %d\n%.1500s", step.path, res.StatusCode, body)
		}
	}
	var gp struct {
		Name       string `json:"name"`
		Repository struct{ URL, Branch string }
	}
	mustAPI(t, f.token, "GET", "/api/v1/projects/"+p.ID, nil, &gp)
	var ge struct{ Name, Namespace string }
	mustAPI(t, f.token, "GET", "/api/v1/environments/"+e.ID, nil, &ge)
	var gs struct {
		Name   string
		Source struct{ Image string }
		Config struct {
			Networking struct{ Port int }
			Scaling    struct{ MinReplicas int }
		} `json:"configuration"`
	}
	mustAPI(t, f.token, "GET", "/api/v1/services/"+s.ID, nil, &gs)
	if gp.Name != "Edited" || gp.Repository.Branch != "trunk" || ge.Name != "qa2" || ge.Namespace != "edits-qa2" ||
		gs.Name != "api2" || gs.Source.Image != "api:2" || gs.Config.Networking.Port != 9090 || gs.Config.Scaling.MinReplicas != 2 {
		t.Errorf("after the edits: project %+v, environment %+v, service %+v", gp, ge, gs)
	}
	// A field the UI cannot read is named in the error.
	res, body := post(t, c, "/services/"+s.ID, url.Values{"name": {"api2"}, "port": {"eighty"}, "csrf_token": {csrf}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad port: %d", res.StatusCode)
	}
	contains(t, body, "port: must be a whole number")
}
