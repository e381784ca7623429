package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/web"
)

func TestSessionCookieFlags(t *testing.T) {
	t.Parallel()
	shared(t)
	c := browser(t)
	_, body := get(t, c, "/login")
	res, _ := post(t, c, "/login", url.Values{"email": {ownerEmail}, "password": {ownerPW}, "csrf_token": {csrfOf(t, body)}, "next": {"/projects"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/projects" {
		t.Fatalf("sign-in answered %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var found bool
	for _, ck := range res.Cookies() {
		if ck.Name != "capsule_session" {
			continue
		}
		found = true
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure {
			t.Errorf("session cookie flags: HttpOnly=%v SameSite=%v Path=%q Secure=%v (plain HTTP)", ck.HttpOnly, ck.SameSite, ck.Path, ck.Secure)
		}
		if strings.Contains(ck.Value, "eyJ") {
			t.Error("the session cookie holds a readable JWT; it must be sealed")
		}
	}
	if !found {
		t.Fatal("no session cookie set")
	}
}

func TestSignInRefusesMissingOrForeignCSRF(t *testing.T) {
	t.Parallel()
	shared(t)
	c := browser(t)
	get(t, c, "/login")
	res, _ := post(t, c, "/login", url.Values{"email": {ownerEmail}, "password": {ownerPW}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without a CSRF token: %d, want 403", res.StatusCode)
	}
	// A token of another browser's form is worthless here.
	other := browser(t)
	_, body := get(t, other, "/login")
	res, _ = post(t, c, "/login", url.Values{"email": {ownerEmail}, "password": {ownerPW}, "csrf_token": {csrfOf(t, body)}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in with another browser's CSRF token: %d, want 403", res.StatusCode)
	}
}

func TestPostWithoutCSRFIsForbidden(t *testing.T) {
	t.Parallel()
	f := shared(t)
	c := browser(t)
	signIn(t, c, ownerEmail, ownerPW)
	for _, tok := range []string{"", "forged", strings.Repeat("A", 43)} {
		res, body := post(t, c, "/projects", url.Values{"name": {"csrf-" + tok}, "csrf_token": {tok}})
		if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "CSRF_TOKEN_INVALID") {
			t.Errorf("POST /projects with token %q: %d", tok, res.StatusCode)
		}
	}
	var l struct {
		Items []struct{ Name string } `json:"items"`
	}
	mustAPI(t, f.token, "GET", "/api/v1/projects?limit=500", nil, &l)
	for _, p := range l.Items {
		if strings.HasPrefix(p.Name, "csrf-") {
			t.Errorf("project %q was created without a valid CSRF token", p.Name)
		}
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	t.Parallel()
	shared(t)
	for _, next := range []string{"//evil.example/x", "https://evil.example", "/\\evil.example", "javascript:alert(1)", "evil.example", "/%0d%0aLocation:x", "\\\\evil.example"} {
		c := browser(t)
		_, body := get(t, c, "/login?next="+url.QueryEscape(next))
		res, _ := post(t, c, "/login", url.Values{"email": {ownerEmail}, "password": {ownerPW}, "csrf_token": {csrfOf(t, body)}, "next": {next}})
		if loc := res.Header.Get("Location"); loc != "/" && !strings.HasPrefix(loc, "/%") {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
	// A signed-out visit keeps its local path for after the sign-in.
	res, _ := get(t, browser(t), "/projects?x=1")
	if loc := res.Header.Get("Location"); loc != "/login?next="+url.QueryEscape("/projects?x=1") {
		t.Errorf("signed-out visit redirected to %q", loc)
	}
}

func TestEveryPageHasStrictCSP(t *testing.T) {
	t.Parallel()
	f := shared(t)
	c := browser(t)
	signIn(t, c, ownerEmail, ownerPW)
	prev := createPreview(t, f)
	pages := []string{"/", "/projects", "/projects/" + f.project, "/services/" + f.service, "/previews/" + prev,
		"/clusters", "/audit", "/settings", "/no/such/page", "/static/app.css"}
	anon := []string{"/login"}
	check := func(c *http.Client, p string) {
		res, body := get(t, c, p)
		if got := res.Header.Get("Content-Security-Policy"); got != web.CSP {
			t.Errorf("%s: CSP %q", p, got)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no X-Content-Type-Options: nosniff", p)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, " style=") || strings.Contains(body, "<style") {
			t.Errorf("%s: inline script or style in the page", p)
		}
		if strings.Contains(body, "eyJ") {
			t.Errorf("%s: a token is in the page", p)
		}
	}
	for _, p := range pages {
		check(c, p)
	}
	for _, p := range anon {
		check(browser(t), p)
	}
}

func TestHostileNamesAreEscaped(t *testing.T) {
	t.Parallel()
	f := shared(t)
	const hostile = `<script>alert("x")</script><img src=x onerror=alert(1)>`
	var p struct {
		ID string `json:"id"`
	}
	mustAPI(t, f.token, "POST", "/api/v1/projects", map[string]any{"name": hostile, "slug": "hostile", "organizationId": f.org}, &p)
	c := browser(t)
	signIn(t, c, ownerEmail, ownerPW)
	for _, path := range []string{"/projects", "/projects/" + p.ID, "/"} {
		_, body := get(t, c, path)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s: the hostile name is not escaped", path)
		}
		contains(t, body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
	}
}

func TestViewerSeesNoActionsAndGetsAPIForbidden(t *testing.T) {
	t.Parallel()
	f := shared(t)
	c := browser(t)
	signIn(t, c, viewer.email, viewer.pw)
	_, body := get(t, c, "/services/"+f.service)
	for _, id := range []string{`id="deploy-form"`, `id="rollback-form"`, `id="scale-form"`, "Edit service"} {
		if strings.Contains(body, id) {
			t.Errorf("viewer's service page shows %s", id)
		}
	}
	contains(t, body, "web")
	_, body = get(t, c, "/projects")
	if strings.Contains(body, `id="new-project"`) {
		t.Error("viewer's projects page shows the new project form")
	}
	// Posting anyway reaches the API, whose 403 is the page's answer.
	res, body := post(t, c, "/services/"+f.service+"/deploy", url.Values{"environmentId": {f.env}, "csrf_token": {csrfOf(t, body)}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "FORBIDDEN") {
		t.Errorf("viewer's deploy: %d\n%.1500s", res.StatusCode, body)
	}
	res, _ = post(t, c, "/projects", url.Values{"name": {"viewer-made"}, "csrf_token": {csrfOf(t, body)}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("viewer's new project: %d, want 403", res.StatusCode)
	}
}

func TestSignOutRevokesTheSession(t *testing.T) {
	t.Parallel()
	shared(t)
	c := browser(t)
	signIn(t, c, ownerEmail, ownerPW)
	u, _ := url.Parse(base)
	cookies := c.Jar.Cookies(u)
	_, body := get(t, c, "/")
	res, _ := post(t, c, "/logout", url.Values{"csrf_token": {csrfOf(t, body)}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login" {
		t.Fatalf("sign-out: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// The old cookie, replayed, no longer opens a page: the API revoked it.
	replay := browser(t)
	replay.Jar.SetCookies(u, cookies)
	res, _ = get(t, replay, "/projects")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("a signed-out session still opens pages: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// createPreview stores a preview through the API: a Deployment whose
// resources grow, and a Secret whose value must never reach a page.
func createPreview(t testing.TB, f fixture) string {
	t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	mustAPI(t, f.token, "POST", "/api/v1/previews", map[string]any{"projectId": f.project, "current": currentYAML, "proposed": proposedYAML}, &out)
	return out.ID
}

const currentYAML = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.26
        resources: {requests: {cpu: 250m, memory: 256Mi}}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
stringData: {password: old-hunter2-value}
`

const proposedYAML = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:latest
        securityContext: {privileged: true}
        resources: {requests: {cpu: "1", memory: 1Gi}}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
stringData: {password: new-hunter2-value}
`

func TestPreviewPage(t *testing.T) {
	t.Parallel()
	f := shared(t)
	id := createPreview(t, f)
	c := browser(t)
	signIn(t, c, ownerEmail, ownerPW)
	res, body := get(t, c, "/previews/"+id)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview page: %d\n%.2000s", res.StatusCode, body)
	}
	contains(t, body, `<svg class="chart"`, `class="bar-proj"`, `id="risks"`, `id="obj-`, `Deployment`, `id="explanation-source">deterministic<`,
		`&#43; /spec/replicas: 4`, `- /spec/replicas: 2`, `href="#obj-Deployment_web--_spec_template_spec_containers_0_securityContext"`)
	for _, secret := range []string{"hunter2"} {
		if strings.Contains(body, secret) {
			t.Errorf("the preview page shows a secret value (%s)", secret)
		}
	}
	// Every risk links to an anchor that exists on the page.
	for _, m := range anchorLinkRE.FindAllStringSubmatch(body, -1) {
		if !strings.Contains(body, `id="`+m[1]+`"`) {
			t.Errorf("risk links to #%s, which the page lacks", m[1])
		}
	}
	if len(anchorLinkRE.FindAllString(body, -1)) == 0 {
		t.Error("no risk links to the diff")
	}
}

func TestNewAPIKeyShownOnce(t *testing.T) {
	t.Parallel()
	shared(t)
	c := browser(t)
	signIn(t, c, ownerEmail, ownerPW)
	_, body := get(t, c, "/settings")
	contains(t, body, ownerEmail, `id="new-key-form"`)
	res, body := post(t, c, "/settings/api-keys", url.Values{"name": {"ci"}, "role": {"developer"}, "csrf_token": {csrfOf(t, body)}})
	m := newKeyRE.FindStringSubmatch(body)
	if res.StatusCode != http.StatusOK || m == nil {
		t.Fatalf("new key: %d, key not shown", res.StatusCode)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Error("the page with a new key may be cached")
	}
	if _, again := get(t, c, "/settings"); strings.Contains(again, m[1]) {
		t.Error("the key is shown again")
	}
}
