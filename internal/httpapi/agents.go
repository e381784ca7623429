package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/inventory"
	"github.com/usecapsule/capsule/internal/inventorystore"
)

// defaultInventory builds the inventory over the store's database when the
// configuration gives none and the store has one (the SQL store does), with
// registration and offline audit entries in the identity store's log.
func defaultInventory(cfg Config) *inventory.Service {
	src, ok := cfg.Store.(interface{ Database() *database.DB })
	if !ok {
		return nil
	}
	ic := inventory.Config{Store: inventorystore.New(src), Now: cfg.Now}
	if ids := cfg.Access.Identity; ids != nil {
		ic.Audit = func(ctx context.Context, e audit.Entry) context.Context {
			c, _ := ids.WithAuditUnit(ctx, e)
			return c
		}
	}
	return inventory.New(ic)
}

func (a *API) inventory() (*inventory.Service, error) {
	if a.cfg.Inventory == nil {
		return nil, capsule.Errorf(capsule.KindNotImplemented, capsule.CodeNotImplemented, "this server keeps no cluster inventory")
	}
	return a.cfg.Inventory, nil
}

// registerAgent exchanges a join token for an agent credential. The token
// is the authentication: the route is public.
func (a *API) registerAgent(w http.ResponseWriter, r *http.Request) error {
	inv, err := a.inventory()
	if err != nil {
		return err
	}
	var req agentproto.RegisterRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	resp, err := inv.Register(r.Context(), req, clientIP(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// agentData serves an agent's snapshot parts, delta batches and heartbeats,
// authenticated by the agent's bearer credential.
func agentData[T any](a *API, apply func(*inventory.Service, context.Context, *inventory.Agent, T) (*agentproto.Ack, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		inv, err := a.inventory()
		if err != nil {
			return err
		}
		cred, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		ag, err := inv.Authenticate(r.Context(), r.PathValue("id"), cred)
		if err != nil {
			return err
		}
		var body T
		gz := strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip")
		if err := agentproto.Decode(r.Body, gz, &body); err != nil {
			if tooLarge(err) {
				return jsonError(err)
			}
			return inventory.ProtocolError("%v", err)
		}
		ack, err := apply(inv, r.Context(), ag, body)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, ack)
		return nil
	}
}

// Inventory returns the API's inventory service (nil when it keeps none),
// for the server's offline sweep.
func (a *API) Inventory() *inventory.Service { return a.cfg.Inventory }
