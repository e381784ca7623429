package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/usecapsule/capsule/internal/deployer"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/jobs"
	"github.com/usecapsule/capsule/internal/notify"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identity/token"
	"github.com/usecapsule/capsule/internal/ratelimit"
	"github.com/usecapsule/capsule/internal/sqlstore"
	"github.com/usecapsule/capsule/internal/web"
	"github.com/usecapsule/capsule/internal/webhook"
)

// Run completes and validates o, then runs the control plane until ctx ends.
func Run(ctx context.Context, o Options) error {
	o.Complete()
	if err := o.Validate(); err != nil {
		return err
	}
	return o.run(ctx)
}

func (o *Options) run(ctx context.Context) error {
	if err := o.secureDataDir(); err != nil {
		return err
	}
	// Bind before the first start creates the owner: the generated password
	// is printed only once, so a busy port must fail the start before that
	// happens, leaving no account behind for the next start to skip.
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", o.Listen, err)
	}
	defer ln.Close()
	st, err := sqlstore.Open(ctx, sqlstore.DSN(o.DatabaseURL, o.DataDir), sqlstore.Options{})
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer st.Close()
	if err := bootstrap(ctx, st, o.AdminEmail, o.Getenv("CAPSULE_ADMIN_PASSWORD"), o.Stderr); err != nil {
		return err
	}
	key, err := signingKey(o.DataDir, o.Getenv("CAPSULE_JWT_KEY"))
	if err != nil {
		return err
	}
	ring, err := o.masterKeyring(ctx, st)
	if err != nil {
		return err
	}
	proxies, err := httpapi.ParseTrustedProxies(o.TrustedProxies)
	if err != nil {
		return err
	}
	out := o.egressClient()
	ids := identitystore.New(st)
	hub := o.eventHub(st)
	defer hub.Close()
	runner, err := jobs.NewRunner(st.Jobs(), jobs.RunnerOptions{Logger: o.Logger, Poll: o.JobPoll, Lease: o.JobLease})
	if err != nil {
		return err
	}
	dep := deployer.New(deployer.Config{Store: st, Secrets: ids, Keyring: ring, Allow: o.egressAllow(), Events: hub,
		ProgressDeadline: o.DeployProgressDeadline})
	dep.Attach(runner)
	// The runner stops (its running jobs' leases left to expire, so they
	// resume after a restart) before the hub and the store close.
	jctx, stopJobs := context.WithCancel(ctx)
	var jobsDone sync.WaitGroup
	jobsDone.Go(func() { _ = runner.Run(jctx) })
	defer jobsDone.Wait()
	defer stopJobs()
	notices := &notify.Service{DB: st.Database(), Secrets: ids, Keyring: ring, Client: out, Allow: o.egressAllow(), PublicURL: o.PublicURL}
	pgit := o.promotionGit()
	api, err := httpapi.New(httpapi.Config{Notify: notices, Deployer: dep, Git: pgit, Store: st, Events: hub, Tokens: token.NewIssuer(key, token.DefaultTTL), Egress: out,
		Access: httpapi.AccessConfig{UserRate: perMinute(o.UserRateLimit), IPRate: perMinute(o.IPRateLimit), Keyring: ring, Identity: ids,
			AuditSigner: audit.NewSigner(key), TrustedProxies: proxies},
		Logger: o.Logger, MaxBodyBytes: o.MaxBodyBytes, MaxUploadBytes: o.MaxUploadBytes, AccessLog: true, PoolStats: poolStats(st),
		// This process is SQLite's only writer, so the read cache sees every write.
		Cache: o.DatabaseURL == "", Explainer: o.LLM.explainer(o.Logger, out), MetricsToken: o.MetricsToken,
		ClusterAllow: o.egressAllow(), PublicURL: o.PublicURL})
	if err != nil {
		return err
	}
	// wiring: a gitops environment's desired state (drift, promotions'
	// current state) is what its Git path holds.
	if rd := api.EnvState(); rd != nil {
		rd.Git = gitState{d: pgit.d, token: api.GitToken}
	}
	// Retention runs beside the API and ends before the store closes.
	rctx, stopRetention := context.WithCancel(ctx)
	var retention sync.WaitGroup
	retention.Go(func() { o.retain(rctx, ids) })
	retention.Go(func() { o.auditAnchoring(rctx, api) })
	if inv := api.Inventory(); inv != nil {
		// Agents that stop sending heartbeats are marked offline, audited.
		retention.Go(func() { inv.RunSweeper(rctx, o.Logger.Warn) })
	}
	// Drift: every environment's live state against what was deployed.
	if mon := o.driftMonitor(api, st, ids, hub, runner.Owner()); mon != nil {
		retention.Go(func() { mon.Run(rctx) })
	}
	// Cost allocation: each cluster's picture sampled into daily cost rows.
	retention.Go(func() { o.runCostSampler(rctx, st, ids, hub) })
	// Billing uploads and S3 sources: accounts' exports imported on a schedule.
	if sch := o.billingS3Scheduler(st, ids, ring, runner.Owner()); sch != nil {
		retention.Go(func() { sch.Run(rctx) })
	}
	// Outbound webhooks: audit entries queue audit.* (and agent.offline)
	// in their own transaction, deployment events come from the hub, and
	// each replica runs a sender (leases keep each attempt to one).
	ids.OnAuditAppend(webhook.AuditHook)
	sender, err := webhook.NewWorker(webhook.WorkerOptions{DB: st.Database(), Secrets: ids, Keyring: ring, Client: out, Auditor: ids, Logger: o.Logger})
	if err != nil {
		stopRetention()
		retention.Wait()
		return err
	}
	retention.Go(func() { sender.Run(rctx) })
	retention.Go(func() { webhook.ForwardDeployments(rctx, hub, st.Database(), o.Logger) })
	// Notifications: agent.offline from its audit entry, failed and
	// rolled-back deployments from the hub, one dispatcher per replica
	// (each channel leased to one at a time).
	ids.OnAuditAppend(notify.AuditHook)
	retention.Go(func() { notify.ForwardDeployments(rctx, hub, st.Database(), o.Logger) })
	retention.Go(func() { notify.NewDispatcher(notices, notify.DispatcherOptions{Logger: o.Logger}).Run(rctx) })
	// wiring: promotion events (webhooks and notifications) commit with
	// the promotion change they report.
	st.OnPromotionChange(promotionEvents)
	if ge := api.GitEvents(); ge != nil {
		// Pull-request environments past their time to live are removed.
		retention.Go(func() {
			ge.SweepEvery(rctx, o.PreviewSweep, func(err error) { o.Logger.Warn("preview sweep", "error", err.Error()) })
		})
	}
	defer retention.Wait()
	defer stopRetention()
	// The metrics listener closes before the store does.
	mctx, stopMetrics := context.WithCancel(ctx)
	waitMetrics, err := o.serveMetrics(mctx, api.MetricsHandler())
	if err != nil {
		stopMetrics()
		return err
	}
	defer waitMetrics()
	defer stopMetrics()
	tln, err := o.wrapTLS(ln)
	if err != nil {
		return err
	}
	// Web UI: its pages are served beside the API and call it in process.
	ui, err := web.New(web.Config{API: api, Key: key, Logger: o.Logger})
	if err != nil {
		return err
	}
	err = o.serve(ctx, tln, ui)
	o.finalCheckpoint(api)
	return err
}

// serve runs the HTTP server on ln until ctx ends, then shuts it down:
// Shutdown stops accepting, waits for active requests to finish and closes
// idle keep-alive connections.
func (o *Options) serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    httpapi.ServerMaxHeaderBytes, // the API answers over its own, lower limit in JSON
		ErrorLog:          slog.NewLogLogger(o.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		Protocols:         serverProtocols(),
	}
	// Shutdown neither waits for nor closes upgraded connections (the
	// events WebSocket): they are closed with 1001 here.
	if s, ok := h.(interface{ CloseStreams() }); ok {
		srv.RegisterOnShutdown(s.CloseStreams)
	}
	addr := ln.Addr().String()
	o.Logger.Info("capsule server listening", "addr", addr, "url", o.scheme()+"://"+addr, "dataDir", o.DataDir, "database", o.databaseKind())
	if o.OnListen != nil {
		o.OnListen(addr)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving HTTP: %w", err)
	case <-ctx.Done():
	}
	o.Logger.Info("shutting down: finishing in-flight requests", "timeout", o.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), o.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	o.Logger.Info("shut down cleanly")
	return nil
}

func (o *Options) databaseKind() string {
	if strings.HasPrefix(o.DatabaseURL, "postgres") {
		return "postgresql"
	}
	return "sqlite"
}

// perMinute is a rate of n requests per minute with a burst of ten
// seconds' worth; 0 is the zero Rate, which selects the default.
func perMinute(n int) ratelimit.Rate {
	if n == 0 {
		return ratelimit.Rate{}
	}
	return ratelimit.Rate{PerMinute: float64(n), Burst: max(n/6, 10)}
}

// poolStats adapts the store's pool figures to the API's metrics.
func poolStats(st *sqlstore.Store) httpapi.PoolStatsFunc {
	return func() map[string]sql.DBStats {
		m := map[string]sql.DBStats{}
		for _, p := range st.Stats() {
			m[p.Pool] = p.DBStats
		}
		return m
	}
}

// serverProtocols are HTTP/1.1 and HTTP/2: on plain HTTP the latter with
// prior knowledge (h2c), which gRPC clients speak without TLS; over TLS it is
// offered by ALPN (see wrapTLS). The promotion service's gRPC needs HTTP/2;
// REST, the UI and the events WebSocket keep HTTP/1.1.
func serverProtocols() *http.Protocols {
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetHTTP2(true)
	p.SetUnencryptedHTTP2(true)
	return &p
}
