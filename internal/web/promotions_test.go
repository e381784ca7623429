package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPromotionPage: a promotion's page shows its preview through the
// preview partials and, to those who may approve, the approve and reject
// forms; a viewer sees neither form and gets the API's 403 when posting
// anyway; a rejection with its comment is recorded through the API.
func TestPromotionPage(t *testing.T) {
	t.Parallel()
	f := shared(t)
	var prod struct {
		ID string `json:"id"`
	}
	mustAPI(t, f.token, "POST", "/api/v1/environments", map[string]any{"projectId": f.project, "name": "production", "kind": "production", "namespace": "shop-prod"}, &prod)
	var pr struct {
		ID string `json:"promotion_id"`
	}
	mustAPI(t, f.token, "POST", "/api/v1/promotions/preview", map[string]any{"serviceId": f.service, "sourceEnvId": f.env, "targetEnvId": prod.ID}, &pr)
	page := "/promotions/" + pr.ID

	v := browser(t)
	signIn(t, v, viewer.email, viewer.pw)
	_, body := get(t, v, "/")
	contains(t, body, `href="`+page+`"`)
	res, body := get(t, v, page)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("viewer's promotion page: %d", res.StatusCode)
	}
	contains(t, body, `id="promotion-status">pending_approval<`, `<svg class="chart"`, `id="diff-h"`, `id="explanation-source"`)
	if strings.Contains(body, `id="approve-form"`) || strings.Contains(body, `id="reject-form"`) {
		t.Error("a viewer sees the approve or reject form")
	}
	res, body = post(t, v, page+"/approve", url.Values{"comment": {"lgtm"}, "csrf_token": {csrfOf(t, body)}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "FORBIDDEN") {
		t.Errorf("viewer's approval: %d", res.StatusCode)
	}

	o := browser(t)
	signIn(t, o, ownerEmail, ownerPW)
	_, body = get(t, o, page)
	contains(t, body, `id="approve-form"`, `id="reject-form"`)
	res, _ = post(t, o, page+"/reject", url.Values{"comment": {"not <today>"}, "csrf_token": {csrfOf(t, body)}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page {
		t.Fatalf("rejection: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = get(t, o, page)
	contains(t, body, `id="promotion-status">rejected<`, "not &lt;today&gt;")
	if strings.Contains(body, `id="approve-form"`) {
		t.Error("a rejected promotion still offers the approve form")
	}
	if res, _ = post(t, o, page+"/merge", url.Values{"csrf_token": {csrfOf(t, body)}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown decision: %d, want 404", res.StatusCode)
	}
}
