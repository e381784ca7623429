package httpapi

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/usecapsule/capsule/internal/audit"
)

// chainState is the outcome of the last verification of the whole audit
// chain (at start, or through the API), for /readyz and the metrics.
type chainState struct {
	mu    sync.Mutex
	known bool
	res   audit.Result
	err   error
	at    time.Time
}

func (c *chainState) set(res audit.Result, err error, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.known, c.res, c.err, c.at = true, res, err, at
}

// broken returns why the chain is known to be broken or unverifiable, ""
// while it is intact or not verified yet.
func (c *chainState) broken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case !c.known:
		return ""
	case c.err != nil:
		return "could not be verified"
	case c.res.Finding != nil:
		return "broken"
	}
	return ""
}

var chainValidDesc = prometheus.NewDesc("capsule_audit_chain_valid",
	"1 when the last verification of the audit log's hash chain (at start or through the API) found it intact, 0 when broken or unverifiable; absent until the first verification ends.", nil, nil)

// Describe implements prometheus.Collector.
func (c *chainState) Describe(ch chan<- *prometheus.Desc) { ch <- chainValidDesc }

// Collect implements prometheus.Collector.
func (c *chainState) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	known := c.known
	c.mu.Unlock()
	if !known {
		return
	}
	v := 1.0
	if c.broken() != "" {
		v = 0
	}
	ch <- prometheus.MustNewConstMetric(chainValidDesc, prometheus.GaugeValue, v)
}

// VerifyAuditChain verifies the whole audit chain (and its signed
// checkpoints), logs the outcome, and keeps it for /readyz and the
// capsule_audit_chain_valid metric. The server runs it at start.
func (a *API) VerifyAuditChain(ctx context.Context) (audit.Result, error) {
	start := time.Now()
	res, err := a.access.ids.VerifyAudit(ctx)
	a.chain.set(res, err, a.now())
	switch {
	case err != nil:
		a.log.ErrorContext(ctx, "audit chain could not be verified", "error", err.Error())
	case res.Finding != nil:
		a.log.ErrorContext(ctx, "audit chain is broken", "seq", res.Finding.Seq, "problem", res.Finding.Problem,
			"detail", res.Finding.Detail, "checked", res.Checked)
	default:
		a.log.InfoContext(ctx, "audit chain verified", "checked", res.Checked, "headSeq", res.Head.Seq,
			"headHash", res.Head.Hash, "took", time.Since(start).String())
	}
	return res, err
}

// WriteAuditCheckpoint signs and stores a checkpoint of the chain's head
// (nothing new when the newest one already anchors it).
func (a *API) WriteAuditCheckpoint(ctx context.Context) (audit.Checkpoint, error) {
	return a.access.ids.WriteCheckpoint(ctx, audit.Checkpoint{Time: a.now()})
}
