package web

import (
	"net/url"
	"strings"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/identity/apikey"
)

// settingsData is the organization's settings as far as the user may see
// them: members and roles (every member), API keys and single sign-on
// (org:manage), secret names (secrets:read). NewKey is a key just made,
// shown this once.
type settingsData struct {
	Members []capsule.Member
	Roles   []string
	Keys    []apikey.APIKey
	Secrets []identity.Secret
	SSO     map[string]any
	NewKey  string
	// Users names members by email, for those who may list users.
	Users map[string]string
}

func (h *Handler) settings(pc *pageCtx) error {
	d, err := h.loadSettings(pc)
	if err != nil {
		return err
	}
	return pc.render("settings", "Settings", d)
}

func (h *Handler) loadSettings(pc *pageCtx) (*settingsData, error) {
	org := "/api/v1/organizations/" + url.PathEscape(pc.org)
	d := &settingsData{}
	var ml capsule.List[capsule.Member]
	if err := pc.get(org+"/members?limit=500", &ml); err != nil {
		return nil, err
	}
	d.Members = ml.Items
	var rl struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	if err := pc.get(org+"/roles", &rl); err != nil {
		return nil, err
	}
	for _, r := range rl.Items {
		d.Roles = append(d.Roles, r.Name)
	}
	if pc.can("org:manage") {
		var kl struct {
			Items []apikey.APIKey `json:"items"`
		}
		if err := pc.get(org+"/api-keys", &kl); err != nil {
			return nil, err
		}
		d.Keys = kl.Items
		var ul struct {
			Items []capsule.User `json:"items"`
		}
		if err := pc.get(org+"/users", &ul); err != nil {
			return nil, err
		}
		d.Users = map[string]string{}
		for _, u := range ul.Items {
			d.Users[u.ID] = u.Email
		}
		if err := pc.get(org+"/sso", &d.SSO); err != nil {
			return nil, err
		}
	}
	if pc.can("secrets:read") {
		var sl struct {
			Items []identity.Secret `json:"items"`
		}
		if err := pc.get("/api/v1/secrets?organizationId="+url.QueryEscape(pc.org), &sl); err != nil {
			return nil, err
		}
		d.Secrets = sl.Items
	}
	return d, nil
}

// createAPIKey makes a key through the API and shows it once, on this
// answer only (the page is no-store).
func (h *Handler) createAPIKey(pc *pageCtx) error {
	f := pc.r.PostFormValue
	var out struct {
		Key string `json:"key"`
	}
	body := map[string]string{"name": strings.TrimSpace(f("name")), "role": f("role")}
	if err := pc.api("POST", "/api/v1/organizations/"+url.PathEscape(pc.org)+"/api-keys", body, &out); err != nil {
		return err
	}
	d, err := h.loadSettings(pc)
	if err != nil {
		return err
	}
	d.NewKey = out.Key
	return pc.render("settings", "Settings", d)
}
