package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/notify"
)

// ChannelList and RuleList are the answers of the notification lists.
type (
	ChannelList struct {
		Items []notify.Channel `json:"items"`
	}
	RuleList struct {
		Items []notify.Rule `json:"items"`
	}
)

// defaultNotify builds the notification service over the store's database,
// the identity store's secrets and the guarded client.
func defaultNotify(cfg Config) *notify.Service {
	src, ok := cfg.Store.(interface{ Database() *database.DB })
	if !ok || cfg.Access.Identity == nil {
		return nil
	}
	return &notify.Service{DB: src.Database(), Secrets: cfg.Access.Identity, Keyring: cfg.Access.Keyring,
		Client: cfg.Egress, Allow: cfg.ClusterAllow}
}

// Notifications returns the API's notification service (nil without one).
func (a *API) Notifications() *notify.Service { return a.cfg.Notify }

func (a *API) notifications() (*notify.Service, error) {
	if a.cfg.Notify == nil {
		return nil, capsule.NotImplemented("notifications on a server without a database")
	}
	return a.cfg.Notify, nil
}

// notifyOrgs are the organizations a list covers: the one asked for, or
// every organization where the guard found the permission.
// listPerOrg gathers one list per organization the request reads (see
// notifyOrgs), never nil so an empty answer is [] in JSON.
func listPerOrg[T any](r *http.Request, list func(ctx context.Context, org string) ([]T, error)) ([]T, error) {
	out := []T{}
	for _, org := range notifyOrgs(r) {
		l, err := list(r.Context(), org)
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	return out, nil
}

func notifyOrgs(r *http.Request) []string {
	c := CallerFrom(r.Context())
	if org := r.URL.Query().Get("organizationId"); org != "" {
		if c.IsMember(org) {
			return []string{org}
		}
		return nil
	}
	return c.OrgIDs()
}

// notifyCreateOrg is the organization a create names (body or query), else
// the caller's only or default one.
func (a *API) notifyCreateOrg(r *http.Request, body string) (string, error) {
	ctx := r.Context()
	org := body
	if org == "" {
		org = r.URL.Query().Get("organizationId")
	}
	if org == "" {
		return defaultOrganization(ctx, a.cfg.Store)
	}
	if !CallerFrom(ctx).IsMember(org) {
		return "", capsule.NotFound("organization", org)
	}
	return org, nil
}

func (a *API) listChannels(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.notifications()
	if err != nil {
		return err
	}
	items, err := listPerOrg(r, svc.ListChannels)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ChannelList{Items: items})
	return nil
}

func (a *API) createChannel(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.notifications()
	if err != nil {
		return err
	}
	var in notify.ChannelInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	org, err := a.notifyCreateOrg(r, in.OrganizationID)
	if err != nil {
		return err
	}
	_, actor := principalFrom(r.Context()).actor()
	c, err := svc.CreateChannel(r.Context(), org, actor, in)
	if err != nil {
		return err
	}
	return created(w, "/api/v1/notifications/channels/"+c.ID, 0, c)
}

func (a *API) findChannel(ctx context.Context, id string) (*notify.Service, *notify.Channel, error) {
	svc, err := a.notifications()
	if err != nil {
		return nil, nil, err
	}
	c, err := svc.FindChannel(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !CallerFrom(ctx).IsMember(c.OrganizationID) {
		return nil, nil, capsule.NotFound("notification channel", id)
	}
	return svc, c, nil
}

func (a *API) deleteChannel(w http.ResponseWriter, r *http.Request) error {
	svc, c, err := a.findChannel(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := svc.DeleteChannel(r.Context(), c); err != nil {
		return err
	}
	return noContent(w)
}

func (a *API) testChannel(w http.ResponseWriter, r *http.Request) error {
	svc, c, err := a.findChannel(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	res, err := svc.TestChannel(r.Context(), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (a *API) listRules(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.notifications()
	if err != nil {
		return err
	}
	items, err := listPerOrg(r, svc.ListRules)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, RuleList{Items: items})
	return nil
}

func (a *API) createRule(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.notifications()
	if err != nil {
		return err
	}
	var in notify.RuleInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	org, err := a.notifyCreateOrg(r, in.OrganizationID)
	if err != nil {
		return err
	}
	_, actor := principalFrom(r.Context()).actor()
	rule, err := svc.CreateRule(r.Context(), org, actor, in)
	if err != nil {
		return err
	}
	return created(w, "/api/v1/notifications/rules/"+rule.ID, 0, rule)
}

func (a *API) deleteRule(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.notifications()
	if err != nil {
		return err
	}
	rule, err := svc.FindRule(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if !CallerFrom(r.Context()).IsMember(rule.OrganizationID) {
		return capsule.NotFound("notification rule", rule.ID)
	}
	if err := svc.DeleteRule(r.Context(), rule); err != nil {
		return err
	}
	return noContent(w)
}

// notificationEntity is what a notifications path names.
func notificationEntity(path string) string {
	if strings.HasPrefix(path, "/api/v1/notifications/rules") {
		return "notification rule"
	}
	return "notification channel"
}

// resolveNotification finds the organization of a channel or rule id.
func (ac *access) resolveNotification(ctx context.Context, entity, id string) (string, error) {
	if ac.notify == nil {
		return "", capsule.NotFound(entity, id)
	}
	if entity == "notification rule" {
		r, err := ac.notify.FindRule(ctx, id)
		if err != nil {
			return "", err
		}
		return r.OrganizationID, nil
	}
	c, err := ac.notify.FindChannel(ctx, id)
	if err != nil {
		return "", err
	}
	return c.OrganizationID, nil
}
