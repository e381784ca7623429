// Package server wires the control plane: it opens the store (SQLite in the
// data directory, or PostgreSQL for a postgres:// URL; migrations run on
// open), creates the first owner account on first start, loads the JWT
// signing key, and serves the HTTP API until its context ends, then shuts
// down gracefully, letting in-flight requests finish.
//
// Design decisions: the signing key lives in
// <data-dir>/jwt.key (0600) even with PostgreSQL, so replicas of one
// control plane need the same $CAPSULE_JWT_KEY; the owner account is created
// only when the user table is empty, and a generated password is printed once
// to stderr (never logged); shutdown waits at most 30 seconds for in-flight
// requests.
package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"os"
	"time"

	"github.com/usecapsule/capsule/internal/httpapi"
)

// Defaults of the server options.
const (
	DefaultListen          = "127.0.0.1:8080"
	DefaultDataDir         = "./capsule-data"
	DefaultAdminEmail      = "admin@localhost"
	DefaultShutdownTimeout = 30 * time.Second
	// DefaultAuditRetentionInterval is how often audit retention runs.
	DefaultAuditRetentionInterval = time.Hour
)

// Options configure one run of the control plane.
type Options struct {
	Listen       string // host:port; port 0 picks a free port
	DataDir      string
	DatabaseURL  string // empty: SQLite in DataDir
	AdminEmail   string
	MaxBodyBytes int64
	// MaxUploadBytes bounds a streamed upload (a billing file); 0 means
	// httpapi.DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// UserRateLimit and IPRateLimit are requests per minute per signed-in
	// user and per client IP; 0 keeps the ratelimit package's defaults.
	// Load tests raise them: the defaults are meant for people, not loadgen.
	UserRateLimit, IPRateLimit int
	// TrustedProxies lists (CIDR,...) the peers whose X-Forwarded-For or
	// Forwarded header names the client; $CAPSULE_TRUSTED_PROXIES.
	TrustedProxies string
	// TLSCert and TLSKey serve HTTPS (TLS 1.3) with these PEM files;
	// TLSSelfSigned generates a development certificate instead.
	TLSCert, TLSKey string
	TLSSelfSigned   bool
	// AuditRetention archives audit entries older than this (0 keeps
	// everything); see retention.go. AuditRetentionInterval is how often it
	// runs after the first run at start (DefaultAuditRetentionInterval when 0).
	AuditRetention, AuditRetentionInterval time.Duration
	// AuditCheckpointInterval is how often the audit chain's head is
	// signed (DefaultAuditCheckpointInterval when 0); see checkpoint.go.
	AuditCheckpointInterval time.Duration
	// LLM configures the explanations of POST /api/v1/previews; see llm.go.
	LLM LLMOptions
	// EgressAllow lists the CIDRs (comma-separated) that outbound requests
	// may reach although they are not public; see egress.go.
	EgressAllow string
	// MetricsAddr serves /metrics on a listener of its own, without a
	// token; MetricsToken lets /metrics on the API listener answer a bearer
	// of it. See metrics.go.
	MetricsAddr, MetricsToken string
	// PublicURL is the URL the control plane is reached at from outside
	// ($CAPSULE_PUBLIC_URL): notifications link to the UI under it, and the
	// Git webhook URL shown with a project's webhook secret is under it;
	// empty: messages carry no link and the webhook URL is the request's.
	PublicURL string
	// PreviewSweep is how often expired pull-request environments are
	// removed (default one minute).
	PreviewSweep time.Duration
	// ShutdownTimeout bounds the wait for in-flight requests after the
	// context ends.
	ShutdownTimeout time.Duration
	// Stderr receives the generated admin password; Logger the JSON logs.
	Stderr io.Writer
	Logger *slog.Logger
	// Getenv reads the environment (os.Getenv when nil): $CAPSULE_LISTEN,
	// $CAPSULE_DATA_DIR, $CAPSULE_DATABASE_URL, $CAPSULE_ADMIN_PASSWORD and
	// $CAPSULE_JWT_KEY, $CAPSULE_AUDIT_RETENTION, $CAPSULE_LLM_URL,
	// $CAPSULE_LLM_MODEL and $CAPSULE_LLM_API_KEY, $CAPSULE_EGRESS_ALLOW,
	// $CAPSULE_METRICS_ADDR and $CAPSULE_METRICS_TOKEN.
	Getenv func(string) string
	// OnListen, when set, is called with the bound address once the server
	// accepts connections (tests listen on port 0).
	OnListen func(addr string)
	// DeployProgressDeadline bounds a rollout without a new Ready pod
	// (zero: the deploy engine's 10 minutes); JobPoll is how often the job
	// runner looks for work other replicas enqueued (zero: 1 s); JobLease
	// is a job's lease (zero: 30 s; renewed every third, which is also how
	// soon a cancel reaches a running job). Tests shorten them.
	DeployProgressDeadline, JobPoll, JobLease time.Duration
	// DriftInterval is how often every environment's drift is checked
	// (drift.DefaultInterval when 0); see drift.go.
	DriftInterval time.Duration
	// CostSampleInterval is how often each cluster's picture becomes a
	// cost allocation sample (allocationstore.DefaultInterval when 0); see
	// allocation.go.
	CostSampleInterval time.Duration
	// BillingS3Interval is how often billing accounts' S3 sources are
	// synced (0: never); see billings3.go.
	BillingS3Interval time.Duration
	// envErr is a bad value read from the environment by Complete.
	envErr error
}

// Complete fills unset options from the environment and the defaults.
func (o *Options) Complete() {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	pick := func(v *string, env, def string) {
		if *v == "" {
			*v = o.Getenv(env)
		}
		if *v == "" {
			*v = def
		}
	}
	pick(&o.Listen, "CAPSULE_LISTEN", DefaultListen)
	pick(&o.DataDir, "CAPSULE_DATA_DIR", DefaultDataDir)
	pick(&o.DatabaseURL, "CAPSULE_DATABASE_URL", "")
	pick(&o.AdminEmail, "", DefaultAdminEmail)
	pick(&o.EgressAllow, "CAPSULE_EGRESS_ALLOW", "")
	pick(&o.MetricsAddr, "CAPSULE_METRICS_ADDR", "")
	pick(&o.MetricsToken, "CAPSULE_METRICS_TOKEN", "")
	pick(&o.TrustedProxies, "CAPSULE_TRUSTED_PROXIES", "")
	pick(&o.PublicURL, "CAPSULE_PUBLIC_URL", "")
	if o.PreviewSweep <= 0 {
		o.PreviewSweep = time.Minute
	}
	o.completeRetention()
	o.LLM.complete(o.Getenv)
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.MaxUploadBytes == 0 {
		o.MaxUploadBytes = httpapi.DefaultMaxUploadBytes
	}
	if o.AuditCheckpointInterval == 0 {
		o.AuditCheckpointInterval = DefaultAuditCheckpointInterval
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = DefaultShutdownTimeout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewJSONHandler(o.Stderr, nil))
	}
}

// Validate reports every bad option in one error.
func (o *Options) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(o.Listen); err != nil {
		errs = append(errs, fmt.Errorf("--listen %q is not host:port: %v", o.Listen, err))
	}
	if a, err := mail.ParseAddress(o.AdminEmail); err != nil || a.Address != o.AdminEmail {
		errs = append(errs, fmt.Errorf("--admin-email %q is not an email address", o.AdminEmail))
	}
	if o.MaxBodyBytes < 1024 {
		errs = append(errs, fmt.Errorf("--max-body-bytes %d is below the minimum of 1024", o.MaxBodyBytes))
	}
	if o.MaxUploadBytes < o.MaxBodyBytes {
		errs = append(errs, fmt.Errorf("--max-upload-bytes %d is below --max-body-bytes %d", o.MaxUploadBytes, o.MaxBodyBytes))
	}
	if o.UserRateLimit < 0 || o.IPRateLimit < 0 {
		errs = append(errs, fmt.Errorf("--rate-limit-user and --rate-limit-ip must not be negative"))
	}
	if o.DataDir == "" {
		errs = append(errs, errors.New("--data-dir is empty"))
	}
	if _, err := httpapi.ParseTrustedProxies(o.TrustedProxies); err != nil {
		errs = append(errs, fmt.Errorf("--trusted-proxies: %w", err))
	}
	if err := o.validateCostSampling(); err != nil {
		errs = append(errs, err)
	}
	if err := o.validateBillingS3(); err != nil { // billing uploads and S3 sources
		errs = append(errs, err)
	}
	if err := o.validateDrift(); err != nil {
		errs = append(errs, err)
	}
	if err := o.LLM.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := o.validateRetention(); err != nil {
		errs = append(errs, err)
	}
	if err := validatePublicURL(o.PublicURL); err != nil { // outbound
		errs = append(errs, err)
	}
	if err := o.validateCheckpoints(); err != nil {
		errs = append(errs, err)
	}
	if err := o.validateTLS(); err != nil {
		errs = append(errs, err)
	}
	if err := o.validateEgress(); err != nil {
		errs = append(errs, err)
	}
	if err := o.validateMetrics(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
