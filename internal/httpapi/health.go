package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/usecapsule/capsule"
)

// Health is the body of /healthz and /readyz when healthy.
type Health struct {
	Status string `json:"status"` // ok, or degraded (/readyz) while a check fails
	// Checks names the failing checks of a degraded instance: "audit"
	// when the audit log's hash chain was found broken or unverifiable.
	Checks map[string]string `json:"checks,omitempty"`
}

func healthz(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, Health{Status: "ok"})
	return nil
}

// readyz answers 503 UNAVAILABLE while the store cannot be pinged (database
// down or migrations not applied), so a load balancer stops sending traffic.
// The cause is logged, not shown: the route is public.
//
// A broken audit chain answers 200 with status "degraded" and
// checks.audit, not 503: the instance still serves correctly, and since
// every replica shares the database, 503 would take them all out of
// service, turning tampering with the log into an outage. Monitoring
// alerts on the body or on capsule_audit_chain_valid instead; the finding
// itself is in the log and GET /api/v1/audit/logs/verify, not on this
// public route.
func readyz(st capsule.Store, chain *chainState, log *slog.Logger) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			log.WarnContext(r.Context(), "not ready", "requestId", requestID(r.Context()), "error", err.Error())
			return &capsule.Error{Kind: capsule.KindUnavailable, Code: capsule.CodeUnavailable,
				Message: "not ready: the database is unreachable or its migrations are not applied"}
		}
		if why := chain.broken(); why != "" {
			writeJSON(w, http.StatusOK, Health{Status: "degraded", Checks: map[string]string{"audit": "the audit log's hash chain " + why + "; see the server log"}})
			return nil
		}
		writeJSON(w, http.StatusOK, Health{Status: "ok"})
		return nil
	}
}
