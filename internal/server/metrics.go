package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Metrics: GET /metrics on the API's listener answers only a bearer of
// --metrics-token ($CAPSULE_METRICS_TOKEN); without a token it answers 404
// there (404, not 401: no credential would help). --metrics-addr
// ($CAPSULE_METRICS_ADDR) serves /metrics, and nothing else, on a listener
// of its own without a token, for a scraper on a private network; it
// speaks plain HTTP even when the API uses TLS.

// minMetricsToken keeps a token from being guessable in a few tries.
const minMetricsToken = 16

func (o *Options) validateMetrics() error {
	var errs []error
	if o.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(o.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("--metrics-addr %q is not host:port: %v", o.MetricsAddr, err))
		}
	}
	if o.MetricsToken != "" && len(o.MetricsToken) < minMetricsToken {
		errs = append(errs, fmt.Errorf("--metrics-token is %d characters; use at least %d (e.g. openssl rand -hex 16)", len(o.MetricsToken), minMetricsToken))
	}
	return errors.Join(errs...)
}

// serveMetrics listens on MetricsAddr and serves h at /metrics until ctx
// ends; it returns the function that waits for the listener to close.
func (o *Options) serveMetrics(ctx context.Context, h http.Handler) (wait func(), err error) {
	if o.MetricsAddr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", o.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listening on --metrics-addr %s: %w", o.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 60 * time.Second,
		ErrorLog: slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn)}
	o.Logger.Info("metrics listening", "addr", ln.Addr().String())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			o.Logger.Error("metrics listener stopped", "error", err.Error())
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	return func() { <-done }, nil
}
