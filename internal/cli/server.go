package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/allocationstore"
	"github.com/usecapsule/capsule/internal/drift"
	"github.com/usecapsule/capsule/internal/explain"
	"github.com/usecapsule/capsule/internal/server"
)

// serverOptions are the flags of `capsule server`; their defaults come from
// the environment so that `--help` shows the values that will be used.
type serverOptions struct {
	opts           server.Options
	auditRetention string
}

func newServerCmd(s Streams) *cobra.Command {
	o := &serverOptions{}
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the Capsule control plane",
		Long: `Run the Capsule control plane: the REST API at /api/v1, its OpenAPI document at
/api/documentation.json (Swagger UI at /api/documentation), /healthz, /readyz and /metrics
(with --metrics-token, or on --metrics-addr).

Data lives in SQLite under --data-dir unless --database-url names a PostgreSQL server;
migrations are applied on start. On first start an owner account (--admin-email) and the
organization "default" are created; the password comes from $CAPSULE_ADMIN_PASSWORD or is
generated and printed once to stderr. With --audit-retention, audit entries older than the
retention are archived (never dropped) to <data-dir>/audit-archive at start and every hour,
exactly as 'capsule audit archive' does. SIGTERM or Ctrl-C finish in-flight requests, then exit.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.Context(), s)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.opts.Listen, "listen", envOr("CAPSULE_LISTEN", server.DefaultListen), "address to listen on ($CAPSULE_LISTEN)")
	f.StringVar(&o.opts.DataDir, "data-dir", envOr("CAPSULE_DATA_DIR", server.DefaultDataDir), "directory of the SQLite database and the JWT key ($CAPSULE_DATA_DIR)")
	f.StringVar(&o.opts.DatabaseURL, "database-url", os.Getenv("CAPSULE_DATABASE_URL"), "postgres:// URL; empty for SQLite in --data-dir ($CAPSULE_DATABASE_URL)")
	f.StringVar(&o.opts.AdminEmail, "admin-email", server.DefaultAdminEmail, "email of the owner account created on first start")
	f.Int64Var(&o.opts.MaxBodyBytes, "max-body-bytes", 1<<20, "largest request body accepted (larger: 413)")
	f.Int64Var(&o.opts.MaxUploadBytes, "max-upload-bytes", 10<<30, "largest streamed upload accepted (billing imports; larger: 413)")
	f.StringVar(&o.opts.TLSCert, "tls-cert", "", "serve HTTPS (TLS 1.3) with this PEM certificate (needs --tls-key)")
	f.StringVar(&o.opts.TLSKey, "tls-key", "", "the PEM private key of --tls-cert")
	f.BoolVar(&o.opts.TLSSelfSigned, "tls-self-signed", false, "serve HTTPS with a generated self-signed certificate (development only)")
	f.IntVar(&o.opts.UserRateLimit, "rate-limit-user", 0, "requests per minute per signed-in user (0: the default, 600)")
	f.IntVar(&o.opts.IPRateLimit, "rate-limit-ip", 0, "requests per minute per client IP (0: the default, 300)")
	f.StringVar(&o.opts.TrustedProxies, "trusted-proxies", os.Getenv("CAPSULE_TRUSTED_PROXIES"),
		"CIDR,... of reverse proxies whose X-Forwarded-For/Forwarded header names the client; from other peers those headers are ignored ($CAPSULE_TRUSTED_PROXIES)")
	f.StringVar(&o.auditRetention, "audit-retention", os.Getenv("CAPSULE_AUDIT_RETENTION"),
		"archive audit entries older than this (e.g. 365d) to <data-dir>/audit-archive at start and hourly; 0 keeps everything ($CAPSULE_AUDIT_RETENTION)")
	f.DurationVar(&o.opts.AuditCheckpointInterval, "audit-checkpoint-interval", server.DefaultAuditCheckpointInterval,
		"how often a signed checkpoint of the audit chain's head is stored (also at shutdown); export them with GET /api/v1/audit/checkpoints")
	f.StringVar(&o.opts.LLM.URL, "llm-url", os.Getenv("CAPSULE_LLM_URL"), "OpenAI-compatible API base URL for preview explanations, e.g. https://api.openai.com/v1; key from $CAPSULE_LLM_API_KEY ($CAPSULE_LLM_URL)")
	f.StringVar(&o.opts.LLM.Model, "llm-model", os.Getenv("CAPSULE_LLM_MODEL"), "model (or Azure deployment) name ($CAPSULE_LLM_MODEL)")
	f.StringVar(&o.opts.LLM.AzureAPIVersion, "llm-azure-api-version", "", "Azure OpenAI api-version; selects the api-key header")
	f.DurationVar(&o.opts.LLM.Timeout, "llm-timeout", explain.DefaultTimeout, "LLM timeout per preview; the deterministic explanation is used after it")
	f.StringVar(&o.opts.EgressAllow, "egress-allow", os.Getenv("CAPSULE_EGRESS_ALLOW"),
		"CIDRs (comma-separated) that outbound requests (SSO issuers, the LLM) may reach although loopback or private, and cluster API servers although loopback, e.g. 10.20.0.0/16,127.0.0.1 ($CAPSULE_EGRESS_ALLOW)")
	f.StringVar(&o.opts.MetricsAddr, "metrics-addr", os.Getenv("CAPSULE_METRICS_ADDR"),
		"serve /metrics without a token on this address of its own, e.g. 127.0.0.1:9090 ($CAPSULE_METRICS_ADDR)")
	f.DurationVar(&o.opts.DriftInterval, "drift-interval", drift.DefaultInterval,
		"how often every environment's drift (what runs against what Capsule deployed) is checked and stored; changes are audited and published as environment.drift events")
	// Cost allocation.
	f.DurationVar(&o.opts.CostSampleInterval, "cost-sample-interval", allocationstore.DefaultInterval,
		"how often each cluster's agent picture becomes a cost allocation sample (max(request, usage) × node prices, kept per workload per day)")
	f.DurationVar(&o.opts.BillingS3Interval, "billing-s3-interval", server.DefaultBillingS3Interval,
		"how often billing accounts' S3 sources are listed and their new or changed monthly exports imported (0: never)")
	f.StringVar(&o.opts.MetricsToken, "metrics-token", "",
		"bearer token that /metrics on --listen requires; without it (and without --metrics-addr) /metrics answers 404 there ($CAPSULE_METRICS_TOKEN)")
	f.StringVar(&o.opts.PublicURL, "public-url", os.Getenv("CAPSULE_PUBLIC_URL"),
		"where users reach Capsule from outside, e.g. https://capsule.example.com: notifications link to the UI under it, and a project's Git webhook URL is shown under it (default the request's; $CAPSULE_PUBLIC_URL)")
	return cmd
}

func (o *serverOptions) run(ctx context.Context, s Streams) error {
	d, err := server.ParseRetention(o.auditRetention)
	if err != nil {
		return withExitCode(ExitUsage, fmt.Errorf("--audit-retention: %w", err))
	}
	o.opts.AuditRetention = d
	o.opts.Stderr = s.Err
	o.opts.Complete()
	if err := o.opts.Validate(); err != nil {
		return withExitCode(ExitUsage, err)
	}
	return server.Run(ctx, o.opts)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
