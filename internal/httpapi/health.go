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
	Status string `json:"status"` // ok
}

func healthz(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, Health{Status: "ok"})
	return nil
}

// readyz answers 503 UNAVAILABLE while the store cannot be pinged (database
// down or migrations not applied), so a load balancer stops sending traffic.
// The cause is logged, not shown: the route is public.
func readyz(st capsule.Store, log *slog.Logger) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			log.WarnContext(r.Context(), "not ready", "requestId", requestID(r.Context()), "error", err.Error())
			return &capsule.Error{Kind: capsule.KindUnavailable, Code: capsule.CodeUnavailable,
				Message: "not ready: the database is unreachable or its migrations are not applied"}
		}
		writeJSON(w, http.StatusOK, Health{Status: "ok"})
		return nil
	}
}
