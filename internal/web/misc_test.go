package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAuditExportAndFilters(t *testing.T) {
	t.Parallel()
	shared(t)
	c := browser(t)
	signIn(t, c, ownerEmail, ownerPW)
	res, body := get(t, c, "/audit?action=projects.*")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("audit page: %d", res.StatusCode)
	}
	contains(t, body, `id="chain"`, `href="/audit/export?action=projects.%2A&amp;format=csv`)
	res, body = get(t, c, "/audit/export?format=csv&action=projects.*")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	if !strings.Contains(body, "projects.create") || strings.Contains(body, "services.create") {
		t.Errorf("the export ignores the filter:\n%.500s", body)
	}
}

func TestOrganizationSwitchAndUnknownDeployment(t *testing.T) {
	t.Parallel()
	f := shared(t)
	c := browser(t)
	signIn(t, c, ownerEmail, ownerPW)
	_, body := get(t, c, "/")
	csrf := csrfOf(t, body)
	res, _ := post(t, c, "/org", url.Values{"org": {f.org}, "next": {"/projects"}, "csrf_token": {csrf}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/projects" {
		t.Errorf("switch: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = post(t, c, "/org", url.Values{"org": {"00000000-0000-0000-0000-000000000000"}, "next": {"//evil.example"}, "csrf_token": {csrf}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "not a member") {
		t.Errorf("switch to a foreign organization: %d", res.StatusCode)
	}
	res, body = get(t, c, "/deployments/00000000-0000-0000-0000-000000000000/logs")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "DEPLOYMENT_NOT_FOUND") {
		t.Errorf("logs of an unknown deployment: %d", res.StatusCode)
	}
}
