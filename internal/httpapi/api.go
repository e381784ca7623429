package httpapi

import (
	"errors"
	"github.com/usecapsule/capsule/internal/deployer"
	"github.com/usecapsule/capsule/internal/notify"
	"github.com/usecapsule/capsule/internal/webhook"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/envstate"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/gitevents"
	"github.com/usecapsule/capsule/internal/identity/token"
	"github.com/usecapsule/capsule/internal/inventory"
	"github.com/usecapsule/capsule/internal/preview"
	"github.com/usecapsule/capsule/internal/promotion"
)

// DefaultMaxBodyBytes is the request body limit when Config leaves it zero.
const DefaultMaxBodyBytes = 1 << 20

// DefaultMaxUploadBytes is the body limit of upload routes (a month of a
// cloud bill) when Config leaves it zero.
const DefaultMaxUploadBytes = 10 << 30

// DefaultRefreshTTL is how long a refresh token (a session) stays valid.
const DefaultRefreshTTL = 30 * 24 * time.Hour

// Config holds the API's dependencies.
type Config struct {
	Store        capsule.Store
	Tokens       *token.Issuer
	RefreshTTL   time.Duration
	Logger       *slog.Logger
	MaxBodyBytes int64
	// MaxUploadBytes is the body limit of the routes marked Upload, whose
	// bodies are streamed rather than read whole (DefaultMaxUploadBytes
	// when zero).
	MaxUploadBytes int64
	// Registry receives the API's metrics; New makes one when nil.
	Registry *prometheus.Registry
	// PoolStats, when set, exports the database pool figures as metrics.
	PoolStats PoolStatsFunc
	// Cache enables the read cache (see readCache). Only safe when this
	// process is the database's only writer, as with SQLite.
	Cache bool
	// CacheTTL bounds the age of a cached read (default 2s).
	CacheTTL time.Duration
	// AccessLog logs one line per request when true.
	AccessLog bool
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Access configures identity and access: RBAC, API keys, audit, secrets, rate limits.
	Access AccessConfig
	// Explainer, when set, writes the explanation of POST /api/v1/previews
	// (an explain.LLM with its grounding check and cache); nil keeps the
	// deterministic one. One instance serves every request, so its cache is
	// shared.
	Explainer preview.Explainer
	// MetricsToken is the bearer token GET /metrics requires; without one
	// /metrics answers 404 (serve MetricsHandler on a listener of its own).
	MetricsToken string
	// Events is the hub GET /api/v1/events streams from (with a relay
	// across replicas on PostgreSQL); nil makes an in-process hub.
	Events *events.Hub
	// EventsPing and EventsRecheck are how often an events stream pings
	// its client and re-checks the caller's access (defaults
	// DefaultEventsPing and DefaultEventsRecheck).
	EventsPing, EventsRecheck time.Duration
	// Egress makes the API's outbound requests (OpenID discovery, key sets
	// and token exchange); nil is egress.New with no allow-list, which
	// refuses every non-public address.
	Egress *http.Client
	// ClusterAllow are the non-public networks (--egress-allow) a cluster's
	// server may be on beyond the private ranges kube always allows, e.g.
	// 127.0.0.1 for a cluster on the control plane's own host.
	ClusterAllow []netip.Prefix
	// Deployer starts deploys, rollbacks and scales as durable jobs and
	// serves deployments' logs; nil answers those routes 501 (a process
	// without a job runner).
	Deployer *deployer.Deployer
	// Git writes approved promotions into gitops environments' repositories
	// (commit, push, pull request); nil leaves them approved with a note.
	Git promotion.GitDeliverer
	// Inventory serves the cluster agents and their clusters' pictures;
	// nil builds one over Store's database when it has one.
	Inventory *inventory.Service
	// EnvState reads environments' live and desired states (drift and
	// environment diffs); nil builds one over Store and Inventory when
	// Store keeps deployment runs.
	EnvState *envstate.Reader
	// Webhooks keeps outbound webhook subscriptions; nil builds one over
	// Store's database and Access.Identity's secrets.
	Webhooks *webhook.Service
	// Notify keeps notification channels and rules; nil builds one over
	// Store's database, Access.Identity's secrets and Egress.
	Notify *notify.Service
	// Git events: the inbound webhook service (nil builds one over the
	// Deployer's store when there is a Deployer), and the URL this server
	// is reached at for the webhook URL it shows (default: the request's
	// scheme and host).
	GitEvents *gitevents.Service
	PublicURL string
}

// API is the http.Handler of the control plane.
type API struct {
	cfg       Config
	log       *slog.Logger
	maxBody   int64
	maxUpload int64
	uploads   map[string]bool // patterns of the routes marked Upload
	accessLog bool
	mux       *http.ServeMux
	routes    []Route
	metrics   *metrics
	now       func() time.Time
	doc       *documents
	access    *access
	cache     *readCache // nil when Config.Cache is false
	members   *readCache // memberships by user ID; nil when Config.Cache is false
	tokens    *tokenCache
	chain     *chainState // the last whole-chain audit verification
	hub       *events.Hub
	streams   streams // open events streams
	promo     *promotion.Service
	drifts    driftChecks // nil when the store keeps no drift checks
}

// New builds the API: it registers every route of the route table.
func New(cfg Config) (*API, error) {
	if cfg.Store == nil || cfg.Tokens == nil {
		return nil, errors.New("httpapi: Store and Tokens are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if cfg.RefreshTTL <= 0 {
		cfg.RefreshTTL = DefaultRefreshTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Events == nil {
		cfg.Events = events.NewHub(events.Options{Logger: cfg.Logger})
	}
	if cfg.EventsPing <= 0 {
		cfg.EventsPing = DefaultEventsPing
	}
	if cfg.EventsRecheck <= 0 {
		cfg.EventsRecheck = DefaultEventsRecheck
	}
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = 2 * time.Second
	}
	if cfg.Inventory == nil {
		cfg.Inventory = defaultInventory(cfg)
	}
	runs, _ := cfg.Store.(promotion.RunStore) // before the cache's wrapper hides it
	if cfg.EnvState == nil {
		cfg.EnvState = defaultEnvState(cfg)
	}
	drifts, _ := cfg.Store.(driftChecks) // before the read cache wraps the store
	if cfg.Webhooks == nil {
		cfg.Webhooks = defaultWebhooks(cfg)
	}
	if cfg.Notify == nil {
		cfg.Notify = defaultNotify(cfg)
	}
	var cache, members *readCache
	bumpCache := func() {}
	if cfg.Cache {
		gs := &genStore{Store: cfg.Store}
		cfg.Store = gs
		cache = newReadCache(gs.generation, cfg.CacheTTL, 4096)
		members = newReadCache(gs.memberGeneration, cfg.CacheTTL, 4096)
		// The deploy jobs write deployment records beside this store.
		if cfg.Deployer != nil {
			cfg.Deployer.OnChange(func() { gs.bump(nil) })
		}
		bumpCache = func() { gs.bump(nil) }
	}
	if cfg.GitEvents == nil {
		cfg.GitEvents = defaultGitEvents(cfg, bumpCache)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	a := &API{cfg: cfg, log: cfg.Logger, maxBody: cfg.MaxBodyBytes, maxUpload: cfg.MaxUploadBytes, uploads: map[string]bool{}, accessLog: cfg.AccessLog,
		mux: http.NewServeMux(), now: cfg.Now, hub: cfg.Events,
		cache: cache, members: members, tokens: &tokenCache{max: 10000, entries: map[string]*token.Claims{}}, drifts: drifts}
	m, err := newMetrics(cfg.Registry, cfg.PoolStats)
	if err != nil {
		return nil, err
	}
	m.token = cfg.MetricsToken
	a.metrics = m
	if a.access, err = newAccess(cfg); err != nil {
		return nil, err
	}
	a.access.inv = cfg.Inventory
	a.promo = newPromotions(cfg, runs, a.gitToken)
	a.access.webhooks = cfg.Webhooks
	a.access.notify = cfg.Notify
	a.chain = &chainState{}
	if err := cfg.Registry.Register(a.chain); err != nil {
		return nil, err
	}
	a.routes = routes(a)
	for _, rt := range a.routes {
		a.mux.Handle(rt.Method+" "+rt.Path, a.guard(rt))
		if rt.Upload {
			a.uploads[rt.Method+" "+rt.Path] = true
		}
	}
	// Promotions over gRPC, gRPC-Web and Connect (connect): each RPC runs its REST twin's guard and handler.
	rpcPath, rpc := a.promotionRPCHandler()
	a.mux.Handle(rpcPath, rpc)
	doc, err := newDocuments(a.routes)
	if err != nil {
		return nil, err
	}
	a.doc = doc
	return a, nil
}

// Store returns the store the API writes through. Other in-process writers
// must use it too, so the read cache sees their writes.
func (a *API) Store() capsule.Store { return a.cfg.Store }

// Routes returns the route table.
func (a *API) Routes() []Route { return a.routes }

// wrap adapts a route's handler: it names the route for metrics and logs,
// authenticates non-public routes, and hands any error to writeError.
func (a *API) wrap(rt Route) http.Handler {
	name := rt.Method + " " + rt.Path
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		infoFrom(r.Context()).route = name
		if !rt.Public {
			c, err := a.authenticate(r)
			if err != nil {
				writeError(w, r, a.log, err)
				return
			}
			r = r.WithContext(withCaller(r.Context(), c))
		}
		if err := checkListQuery(rt, r); err != nil {
			writeError(w, r, a.log, err)
			return
		}
		h := rt.Handler
		if rt.Cacheable && a.cache != nil {
			h = func(w http.ResponseWriter, r *http.Request) error { return a.serveCached(w, r, rt.Handler) }
		}
		if err := h(w, r); err != nil {
			writeError(w, r, a.log, err)
		}
	})
}
