// Package agent is Capsule's read-only cluster agent (`capsule agent`): it
// mirrors a cluster's objects with dynamic informers, strips what must not
// leave the cluster, and streams the picture to the control plane over the
// protocol of internal/agentproto (register, snapshot, deltas, heartbeats).
//
// Design decisions:
//   - Read-only by construction: every request to the Kubernetes API passes
//     through a transport that refuses any method but GET (ReadOnlyConfig),
//     whatever the agent's RBAC allows.
//   - Secrets are reduced to metadata, type and key names by the informers'
//     transform, before an object enters the agent's memory for good;
//     ConfigMap values become SHA-256 hashes unless Privacy.ConfigMapValues.
//   - Helm releases are read from Helm's release Secrets: name, status and
//     revision from their labels, chart and version from the payload decoded
//     inside the agent; the payload itself is dropped unless opted in.
//   - Outbound only: HTTP POSTs with gzip bodies; failures back off
//     exponentially with full jitter; changes wait in a bounded buffer that
//     turns into a resync (a fresh snapshot) when it overflows.
//   - The credential is kept in StateFile when given, so a restarted agent
//     resumes as the same agent; without it a restart needs a new join token
//     (the token is single-use), which is what a stateless pod with no
//     volume gets.
package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/egress"
)

// Options configure an agent.
type Options struct {
	// Server is the control plane's base URL.
	Server string
	// Token is the one-time join token, used when StateFile holds no
	// credential yet.
	Token string
	// StateFile keeps the agent id and credential across restarts (0600).
	StateFile string
	// Kube reaches the cluster; the agent wraps it read-only.
	Kube *rest.Config
	// HTTP reaches the control plane; nil means the guarded egress client
	// with no allow list (a control plane on loopback or a private network
	// needs a client that allows it, as `capsule agent --egress-allow` makes).
	HTTP    *http.Client
	Privacy Privacy
	// Version is the agent's version, reported at registration.
	Version  string
	Hostname string
	Logger   *slog.Logger
	// Heartbeat defaults to agentproto.HeartbeatSeconds.
	Heartbeat time.Duration
	// MinBackoff and MaxBackoff bound the retry delays (0.5 s and 30 s).
	MinBackoff, MaxBackoff time.Duration
	// BufferDeltas and BufferBytes bound the pending changes (10,000 and
	// 64 MiB of bodies).
	BufferDeltas, BufferBytes int
	// SyncTimeout bounds the informers' first list (2 minutes).
	SyncTimeout time.Duration
	// UsageInterval is how often metrics.k8s.io usage is read (1 minute).
	UsageInterval time.Duration
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = agentproto.HeartbeatSeconds * time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 500 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	if o.BufferDeltas <= 0 {
		o.BufferDeltas = 10000
	}
	if o.BufferBytes <= 0 {
		o.BufferBytes = 64 << 20
	}
	if o.UsageInterval <= 0 {
		o.UsageInterval = time.Minute
	}
	if o.SyncTimeout <= 0 {
		o.SyncTimeout = 2 * time.Minute
	}
	if o.HTTP == nil {
		o.HTTP = egress.New(egress.Options{})
	}
}

// Agent is one running agent.
type Agent struct {
	opts           Options
	client         *client
	col            *collector
	clusterVersion string
	log            *slog.Logger
	sess           session
}

// New connects to the cluster (read-only) and prepares the informers of
// every kind the cluster serves.
func New(opts Options) (*Agent, error) {
	opts.defaults()
	base, err := normalizeServer(opts.Server)
	if err != nil {
		return nil, err
	}
	if opts.Kube == nil {
		return nil, errors.New("agent: no Kubernetes configuration")
	}
	kube := ReadOnlyConfig(opts.Kube)
	api, err := newAPIServer(kube)
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	kubeVersion, err := api.version(ctx)
	if err != nil {
		return nil, fmt.Errorf("agent: read the cluster's version at %s: %w", kube.Host, err)
	}
	res, err := api.available(ctx)
	if err != nil {
		return nil, err
	}
	usage, err := api.usageKinds(ctx)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfig(kube)
	if err != nil {
		return nil, fmt.Errorf("agent: dynamic client: %w", err)
	}
	var poller *usagePoller
	if len(usage) > 0 {
		poller = newUsagePoller(dyn, usage, opts.UsageInterval)
	}
	col, err := newCollector(dyn, res, poller, opts.Privacy, opts.BufferDeltas, opts.BufferBytes, opts.Logger)
	if err != nil {
		return nil, err
	}
	a := &Agent{opts: opts, col: col, clusterVersion: kubeVersion, log: opts.Logger,
		client: &client{http: opts.HTTP, base: base, userAgent: "capsule-agent/" + opts.Version}}
	return a, nil
}

// state is what StateFile holds.
type state struct {
	Server     string `json:"server"`
	AgentID    string `json:"agent_id"`
	ClusterID  string `json:"cluster_id"`
	Credential string `json:"credential"`
}

func (a *Agent) loadState() error {
	if a.opts.StateFile == "" {
		return nil
	}
	data, err := os.ReadFile(a.opts.StateFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("agent: read state file: %w", err)
	}
	var st state
	if err := json.Unmarshal(data, &st); err != nil {
		return fmt.Errorf("agent: state file %s is not valid JSON: %w", a.opts.StateFile, err)
	}
	if st.Server == a.client.base {
		a.client.agentID, a.client.credential = st.AgentID, st.Credential
	}
	return nil
}

func (a *Agent) saveState(clusterID string) error {
	if a.opts.StateFile == "" {
		return nil
	}
	data, _ := json.Marshal(state{Server: a.client.base, AgentID: a.client.agentID, ClusterID: clusterID, Credential: a.client.credential})
	if err := os.WriteFile(a.opts.StateFile, data, 0o600); err != nil {
		return fmt.Errorf("agent: write state file: %w", err)
	}
	return nil
}

// Run syncs until ctx ends. It returns an error only when it cannot go on:
// the cluster cannot be listed, or the join token is refused.
func (a *Agent) Run(ctx context.Context) error {
	if err := a.loadState(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer func() { cancel(); a.col.shutdown() }()
	// Register first: a refused token fails fast, before a whole list.
	if err := a.ensureRegistered(ctx); err != nil {
		return err
	}
	if err := a.col.start(ctx, a.opts.SyncTimeout); err != nil {
		return err
	}
	go a.heartbeats(ctx)
	return a.stream(ctx)
}

// ensureRegistered exchanges the join token for a credential, retrying
// while the control plane is unreachable.
func (a *Agent) ensureRegistered(ctx context.Context) error {
	if a.client.credential != "" {
		return nil
	}
	if a.opts.Token == "" {
		return errors.New("agent: no join token (--token) and no stored credential")
	}
	host := a.opts.Hostname
	if host == "" {
		host, _ = os.Hostname()
	}
	req := agentproto.RegisterRequest{Token: a.opts.Token, ClusterVersion: a.clusterVersion, AgentVersion: a.opts.Version, Hostname: host}
	for attempt := 0; ; attempt++ {
		resp, err := a.client.register(ctx, req)
		if err == nil {
			a.client.agentID, a.client.credential = resp.AgentID, resp.Credential
			a.log.Info("agent: registered", "agentId", resp.AgentID, "clusterId", resp.ClusterID)
			return a.saveState(resp.ClusterID)
		}
		var se *StatusError
		if errors.As(err, &se) && se.Status/100 == 4 && se.Status != http.StatusTooManyRequests {
			return fmt.Errorf("agent: the control plane refused the join token: %w", err)
		}
		a.log.Warn("agent: register failed, retrying", "error", err)
		if !a.sleep(ctx, attempt) {
			return ctx.Err()
		}
	}
}

// backoff is the delay before retry attempt n: exponential from MinBackoff,
// capped at MaxBackoff, with full jitter so that many agents cut off by one
// outage do not reconnect in step.
func (a *Agent) backoff(n int) time.Duration {
	d := a.opts.MinBackoff << min(n, 16)
	if d <= 0 || d > a.opts.MaxBackoff {
		d = a.opts.MaxBackoff
	}
	return time.Duration(rand.Int64N(int64(d)) + 1)
}

func (a *Agent) sleep(ctx context.Context, attempt int) bool {
	t := time.NewTimer(a.backoff(attempt))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
