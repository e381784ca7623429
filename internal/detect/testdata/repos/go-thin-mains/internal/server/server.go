package server

import (
	"context"
	"net/http"
)

// Run serves the shop API on addr.
func Run(ctx context.Context, addr string) error {
	srv := &http.Server{Addr: addr, Handler: http.NewServeMux()}
	return srv.ListenAndServe()
}
