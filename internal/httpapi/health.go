package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/usecapsule/capsule"
)

// Health is the body of /healthz and /readyz.
type Health struct {
	Status string `json:"status"` // ok|unavailable
	Error  string `json:"error,omitempty"`
}

func healthz(w http.ResponseWriter, _ *http.Request) error {
	writeJSON(w, http.StatusOK, Health{Status: "ok"})
	return nil
}

// readyz answers 503 while the store cannot be pinged (database down or
// migrations not applied), so a load balancer stops sending traffic.
func readyz(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, Health{Status: "unavailable", Error: err.Error()})
			return nil
		}
		writeJSON(w, http.StatusOK, Health{Status: "ok"})
		return nil
	}
}
