package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/usecapsule/capsule"
)

// pageCtx is one signed-in request: the session, the user, the chosen
// organization and what the user may do there.
type pageCtx struct {
	h     *Handler
	w     http.ResponseWriter
	r     *http.Request
	sess  *session
	me    me
	org   string
	perms map[string]bool
	// orgNames names the user's organizations for the switcher.
	orgNames map[string]string
}

// me is the API's GET /auth/me answer.
type me struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	Name        string `json:"name"`
	Memberships []struct {
		OrganizationID string `json:"organizationId"`
		Role           string `json:"role"`
	} `json:"memberships"`
}

// errSignIn ends a page whose session cannot be renewed.
var errSignIn = errors.New("web: sign in again")

// page wraps a signed-in page: it opens the session (renewing the access
// token when it is about to expire), checks the CSRF token of a POST, loads
// the user and their permissions, and renders fn's error as an error page.
func (h *Handler) page(fn func(*pageCtx) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := h.readSession(r)
		if s == nil {
			h.toLogin(w, r)
			return
		}
		if r.Method == http.MethodPost && !h.checkCSRF(r, s.ID) {
			h.renderError(w, r, nil, &apiError{Status: http.StatusForbidden, Code: capsule.CodeCSRFTokenInvalid, Message: "the form's CSRF token is missing or wrong; reload the page and try again"})
			return
		}
		pc := &pageCtx{h: h, w: w, r: r, sess: s}
		if s.Expires.Sub(h.now()) < time.Minute {
			if err := pc.renew(); err != nil {
				h.toLogin(w, r)
				return
			}
		}
		err := pc.load()
		if err == nil {
			err = fn(pc)
		}
		if err != nil {
			var ae *apiError
			if errors.Is(err, errSignIn) || (errors.As(err, &ae) && ae.Status == http.StatusUnauthorized) {
				h.clearSession(w, r)
				h.toLogin(w, r)
				return
			}
			h.renderError(w, r, pc, err)
		}
	}
}

// renew exchanges the refresh token and stores the new tokens.
func (pc *pageCtx) renew() error {
	ns, err := pc.h.refresh.do(pc.r, pc.sess)
	if err != nil {
		return errSignIn
	}
	pc.sess = ns
	return pc.h.writeSession(pc.w, pc.r, ns)
}

// api calls the API as the signed-in user and decodes its answer into out.
func (pc *pageCtx) api(method, path string, body, out any) error {
	res, err := pc.do(method, path, body)
	if err != nil {
		return err
	}
	return res.decode(out)
}

// do calls the API as the signed-in user. A 401 (an access token revoked
// or expired early) renews the session once.
func (pc *pageCtx) do(method, path string, body any) (*apiResponse, error) {
	res, err := pc.h.callAPI(pc.r.Context(), pc.r, method, path, pc.sess.Access, body)
	if err != nil || res.status != http.StatusUnauthorized {
		return res, err
	}
	if err := pc.renew(); err != nil {
		return nil, err
	}
	return pc.h.callAPI(pc.r.Context(), pc.r, method, path, pc.sess.Access, body)
}

// get is api for GET.
func (pc *pageCtx) get(path string, out any) error { return pc.api("GET", path, nil, out) }

// load reads the user and the organization's role permissions. The API
// has no "my permissions" route: the organization's roles (GET
// /organizations/{id}/roles, open to every member) give what the user's
// organization role grants. Project-scoped role bindings are not counted,
// so a button may be missing where a binding would allow the action; the
// API still decides every action.
func (pc *pageCtx) load() error {
	if err := pc.get("/api/v1/auth/me", &pc.me); err != nil {
		return err
	}
	pc.org = ""
	want := ""
	if c, err := pc.r.Cookie(orgCookie); err == nil {
		want = c.Value
	}
	role := ""
	for i, m := range pc.me.Memberships {
		if i == 0 || m.OrganizationID == want {
			pc.org, role = m.OrganizationID, m.Role
		}
	}
	pc.perms = map[string]bool{}
	if pc.org == "" {
		return nil
	}
	var orgs capsule.List[capsule.Organization]
	if err := pc.get("/api/v1/organizations?limit=100", &orgs); err != nil {
		return err
	}
	pc.orgNames = map[string]string{}
	for _, o := range orgs.Items {
		pc.orgNames[o.ID] = o.Name
	}
	var roles struct {
		Items []struct {
			Name        string   `json:"name"`
			Permissions []string `json:"permissions"`
		} `json:"items"`
	}
	if err := pc.get("/api/v1/organizations/"+url.PathEscape(pc.org)+"/roles", &roles); err != nil {
		return err
	}
	for _, rl := range roles.Items {
		if rl.Name == role {
			for _, p := range rl.Permissions {
				pc.perms[p] = true
			}
		}
	}
	return nil
}

// can reports whether the user's role grants p in the current organization.
func (pc *pageCtx) can(p string) bool { return pc.perms[p] }

// redirect answers 303 to a local path.
func (pc *pageCtx) redirect(path string) error {
	http.Redirect(pc.w, pc.r, path, http.StatusSeeOther)
	return nil
}

// toLogin sends the browser to the sign-in page, to come back here after.
func (h *Handler) toLogin(w http.ResponseWriter, r *http.Request) {
	next := "/"
	if r.Method == http.MethodGet {
		next = r.URL.RequestURI()
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(localPath(next)), http.StatusSeeOther)
}

// localPath returns p when it is a path on this server, else "/": a next
// parameter must never send the browser to another site (//evil.example,
// /\evil.example, https://evil.example, control characters).
func localPath(p string) string {
	if p == "" || p[0] != '/' || len(p) > 2048 {
		return "/"
	}
	if len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return "/"
	}
	if strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/"
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return p
}

// orgChoices are the organizations of the switcher.
func (pc *pageCtx) orgChoices() []orgChoice {
	var out []orgChoice
	for _, m := range pc.me.Memberships {
		out = append(out, orgChoice{ID: m.OrganizationID, Name: pc.orgNames[m.OrganizationID], Role: m.Role, Selected: m.OrganizationID == pc.org})
	}
	return out
}

type orgChoice struct {
	ID, Role, Name string
	Selected       bool
}

// switchOrg remembers the organization chosen in the header's switcher.
func (h *Handler) switchOrg(pc *pageCtx) error {
	id := pc.r.PostFormValue("org")
	if !slices.ContainsFunc(pc.me.Memberships, func(m struct {
		OrganizationID string `json:"organizationId"`
		Role           string `json:"role"`
	}) bool {
		return m.OrganizationID == id
	}) {
		return &apiError{Status: http.StatusBadRequest, Code: capsule.CodeValidation, Message: "org: you are not a member of organization " + id}
	}
	http.SetCookie(pc.w, h.cookie(pc.r, orgCookie, id, 365*24*time.Hour))
	return pc.redirect(localPath(pc.r.PostFormValue("next")))
}
