package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/notify"
	"github.com/usecapsule/capsule/internal/webhook"
)

// WebhookRequest is the body of POST /webhooks: the organization comes
// from organizationId here or in the query, else the caller's only or
// default organization, as for projects.
type WebhookRequest struct {
	OrganizationID string `json:"organizationId,omitempty"`
	webhook.Input
}

// WebhookList is the answer of GET /webhooks.
type WebhookList struct {
	Items []webhook.Subscription `json:"items"`
}

// defaultWebhooks builds the webhook service over the store's database
// and the identity store's secrets.
func defaultWebhooks(cfg Config) *webhook.Service {
	src, ok := cfg.Store.(interface{ Database() *database.DB })
	if !ok || cfg.Access.Identity == nil {
		return nil
	}
	return &webhook.Service{Store: webhook.NewStore(src.Database()), Secrets: cfg.Access.Identity,
		Keyring: cfg.Access.Keyring, Allow: cfg.ClusterAllow, Now: cfg.Now}
}

// Webhooks returns the API's webhook service (nil without one).
func (a *API) Webhooks() *webhook.Service { return a.cfg.Webhooks }

func (a *API) webhooks() (*webhook.Service, error) {
	if a.cfg.Webhooks == nil {
		return nil, capsule.NotImplemented("outbound webhooks on a server without a database")
	}
	return a.cfg.Webhooks, nil
}

// findWebhook returns the subscription when it belongs to one of the
// caller's organizations; any other is reported as not found.
func (a *API) findWebhook(ctx context.Context, id string) (*webhook.Service, *webhook.Subscription, error) {
	svc, err := a.webhooks()
	if err != nil {
		return nil, nil, err
	}
	s, err := svc.Store.Find(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !CallerFrom(ctx).IsMember(s.OrganizationID) {
		return nil, nil, capsule.NotFound("webhook", id)
	}
	return svc, s, nil
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.webhooks()
	if err != nil {
		return err
	}
	items, err := listPerOrg(r, svc.Store.List)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, WebhookList{Items: items})
	return nil
}

// createWebhook answers the subscription with its signing secret, the only
// time the secret is shown.
func (a *API) createWebhook(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.webhooks()
	if err != nil {
		return err
	}
	ctx := r.Context()
	var req WebhookRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	org := req.OrganizationID
	if org == "" {
		org = r.URL.Query().Get("organizationId")
	}
	if org == "" {
		if org, err = defaultOrganization(ctx, a.cfg.Store); err != nil {
			return err
		}
	} else if !CallerFrom(ctx).IsMember(org) {
		return capsule.NotFound("organization", org)
	}
	_, actor := principalFrom(ctx).actor()
	c, err := svc.Create(ctx, org, actor, req.Input)
	if err != nil {
		return err
	}
	return created(w, "/api/v1/webhooks/"+c.ID, 0, c)
}

func (a *API) getWebhook(w http.ResponseWriter, r *http.Request) error {
	_, s, err := a.findWebhook(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

func (a *API) patchWebhook(w http.ResponseWriter, r *http.Request) error {
	svc, s, err := a.findWebhook(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	var p webhook.Patch
	if err := decodeJSON(r, &p); err != nil {
		return err
	}
	out, err := svc.Update(r.Context(), s, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	svc, s, err := a.findWebhook(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := svc.Delete(r.Context(), s); err != nil {
		return err
	}
	return noContent(w)
}

func (a *API) listWebhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	svc, s, err := a.findWebhook(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	p, err := pageParam(r.URL.Query())
	if err != nil {
		return err
	}
	l, err := svc.Store.Deliveries(r.Context(), s.ID, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (a *API) redeliverWebhook(w http.ResponseWriter, r *http.Request) error {
	svc, s, err := a.findWebhook(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := svc.Redeliver(r.Context(), s, r.PathValue("deliveryId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, d)
	return nil
}

func (a *API) testWebhook(w http.ResponseWriter, r *http.Request) error {
	svc, s, err := a.findWebhook(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := svc.Test(r.Context(), s)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, d)
	return nil
}

// sealedOutboundSecret refuses the secrets API's access to a webhook's
// signing secret: it is shown once when the webhook is created and only
// the sender opens it again.
func sealedOutboundSecret(name string) error {
	if strings.HasPrefix(name, notify.SecretNamePrefix) {
		return capsule.Errorf(capsule.KindForbidden, capsule.CodeWebhookSecretSealed,
			"%q holds a notification channel's credentials: it is never read, rotated, created or deleted through the secrets API", name)
	}
	if !strings.HasPrefix(name, webhook.SecretNamePrefix) {
		return nil
	}
	return capsule.Errorf(capsule.KindForbidden, capsule.CodeWebhookSecretSealed,
		"%q is a webhook's signing secret: it is never read, rotated, created or deleted through the secrets API", name)
}
