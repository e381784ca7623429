package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/gitevents"
)

// Inbound Git webhooks: a project's webhook secret (made and shown once,
// rotated by asking again), the public delivery route each provider posts
// to, and the project's delivery log. The delivery route has no bearer
// token and so no audit unit of the guard's: the gitevents service opens
// one per change it makes (actor system "webhook:<provider>"), as the
// agent routes do.

// WebhookSecret is the answer to POST /projects/{id}/webhook-secret: the
// secret (shown this once), the URL to configure on the provider and the
// events to subscribe to there.
type WebhookSecret struct {
	Secret   string   `json:"secret"`
	URL      string   `json:"url"`
	Provider string   `json:"provider"`
	Events   []string `json:"events"`
}

// defaultGitEvents builds the webhook service over the deployer's store,
// the identity store's secrets and audit log, when the configuration gives
// none and has a deployer.
func defaultGitEvents(cfg Config, bump func()) *gitevents.Service {
	if cfg.Deployer == nil || cfg.Access.Identity == nil {
		return nil
	}
	ids := cfg.Access.Identity
	return gitevents.New(gitevents.Config{Store: cfg.Deployer.Store(), Secrets: ids, Keyring: cfg.Access.Keyring,
		Deployer: cfg.Deployer, Allow: cfg.ClusterAllow, Now: cfg.Now, OnChange: bump,
		Audit: func(ctx context.Context, e audit.Entry) context.Context {
			c, _ := ids.WithAuditUnit(ctx, e)
			return c
		}})
}

func (a *API) gitEvents() (*gitevents.Service, error) {
	if a.cfg.GitEvents == nil {
		return nil, capsule.NotImplemented("Git webhooks in a process without a job runner")
	}
	return a.cfg.GitEvents, nil
}

// publicBase is the URL this server is reached at: --public-url when set,
// else the scheme and host of the request.
func (a *API) publicBase(r *http.Request) string {
	if a.cfg.PublicURL != "" {
		return strings.TrimRight(a.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (a *API) createWebhookSecret(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.gitEvents()
	if err != nil {
		return err
	}
	p, err := findProject(r.Context(), a.cfg.Store, r.PathValue("id"))
	if err != nil {
		return err
	}
	prov, err := gitevents.ProviderFor(p)
	if err != nil {
		return err
	}
	_, actor := principalFrom(r.Context()).actor()
	secret, err := svc.NewSecret(r.Context(), p, actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, WebhookSecret{Secret: secret, Provider: prov.Name(), Events: prov.Events(),
		URL: a.publicBase(r) + "/api/v1/hooks/git/" + prov.Name()})
	return nil
}

func (a *API) listHookDeliveries(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.gitEvents(); err != nil {
		return err
	}
	p, err := findProject(r.Context(), a.cfg.Store, r.PathValue("id"))
	if err != nil {
		return err
	}
	pg, err := pageParam(r.URL.Query())
	if err != nil {
		return err
	}
	l, err := a.cfg.Deployer.Store().ListHookDeliveries(r.Context(), capsule.HookDeliveryFilter{ProjectID: p.ID, Page: pg})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

// receiveHook takes one delivery. The body is read whole (up to
// gitevents.MaxPayloadBytes) because the signature covers every byte.
func (a *API) receiveHook(w http.ResponseWriter, r *http.Request) error {
	svc, err := a.gitEvents()
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, gitevents.MaxPayloadBytes+1))
	over := len(body) > gitevents.MaxPayloadBytes
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &mb):
		over = true
	case err != nil:
		return capsule.Errorf(capsule.KindInvalid, capsule.CodeWebhookPayloadInvalid, "reading the delivery's body: %v", err)
	}
	res, err := svc.Handle(r.Context(), r.PathValue("provider"), r.Header, body, over)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// GitEvents returns the API's webhook service (nil without one), for the
// server's sweep of expired pull-request environments.
func (a *API) GitEvents() *gitevents.Service { return a.cfg.GitEvents }
