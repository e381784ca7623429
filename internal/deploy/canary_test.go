package deploy

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/render"
)

// prometheus is an HTTP server on 127.0.0.1 answering /api/v1/query in
// Prometheus's JSON format with fixed success rate and p99 values, and
// recording the queries it was asked.
type prometheus struct {
	*httptest.Server
	mu      sync.Mutex
	queries []string
}

func newPrometheus(t *testing.T, successRate, p99Seconds string) *prometheus {
	p := &prometheus{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/query" {
			http.NotFound(w, r)
			return
		}
		q := r.FormValue("query")
		p.mu.Lock()
		p.queries = append(p.queries, q)
		p.mu.Unlock()
		v := successRate
		if strings.Contains(q, "histogram_quantile") {
			v = p99Seconds
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[%d.123,"%s"]}]}}`, time.Now().Unix(), v)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *prometheus) options() Options {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	return Options{PrometheusURL: p.URL, HTTPClient: egress.New(egress.Options{Allow: loopback})}
}

func (p *prometheus) asked() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.queries...)
}

func TestCanaryPromotesStepByStep(t *testing.T) {
	t.Parallel()
	prom := newPrometheus(t, "99.95", "0.120")
	e := newEnv(t, prom.options())
	spec := webSpec("orders", 4, "deploy: {strategy: canary}")
	res, _ := e.deploy(t, Request{Service: "orders", Revision: 1, Objects: rendered(t, e.ns, spec, render.Options{Image: "example/orders:v1"})})
	wantPhase(t, res, PhaseRunning)
	res, log := e.deploy(t, Request{Service: "orders", Revision: 2, Strategy: Strategy{Steps: []int{25, 50, 100}, Pause: -1},
		Objects: rendered(t, e.ns, spec, render.Options{Image: "example/orders:v2"})})
	wantPhase(t, res, PhaseRunning)
	var steps []int
	for _, p := range log.all {
		if p.Phase == PhaseAnalyzing {
			steps = append(steps, p.Percent)
		}
	}
	if fmt.Sprint(steps) != "[25 50]" {
		t.Errorf("analysed steps %v, want [25 50]", steps)
	}
	last := 0
	for _, p := range log.all {
		if p.Phase == PhaseRollingOut && p.Percent < last {
			t.Errorf("progress went back from %d%% to %d%%: %v", last, p.Percent, log.all)
			break
		}
		if p.Phase == PhaseRollingOut || p.Phase == PhaseAnalyzing {
			last = p.Percent
		}
	}
	asked := prom.asked()
	if len(asked) != 4 || !strings.Contains(asked[0], `namespace="`+e.ns+`"`) || !strings.Contains(asked[0], "orders-canary") {
		t.Errorf("Prometheus was asked %q, want a success rate and a latency query per step about orders-canary in %s", asked, e.ns)
	}
	images, ready := e.podImages(t, "app.kubernetes.io/name=orders")
	if images["example/orders:v2"] != 4 || len(images) != 1 || ready != 4 {
		t.Errorf("after the promotion the cluster has %v with %d ready, want 4 ready v2", images, ready)
	}
	if _, err := e.client.AppsV1().Deployments(e.ns).Get(context.Background(), "orders-canary", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the canary after the promotion: %v, want removed", err)
	}
}

func TestCanaryAbortsOnFailedAnalysis(t *testing.T) {
	t.Parallel()
	prom := newPrometheus(t, "80.5", "0.120")
	e := newEnv(t, prom.options())
	spec := webSpec("billing", 2, "deploy: {strategy: canary}")
	res, _ := e.deploy(t, Request{Service: "billing", Revision: 1, Objects: rendered(t, e.ns, spec, render.Options{Image: "example/billing:v1"})})
	wantPhase(t, res, PhaseRunning)
	res, _ = e.deploy(t, Request{Service: "billing", Revision: 2, Strategy: Strategy{Pause: 200 * time.Millisecond},
		Objects: rendered(t, e.ns, spec, render.Options{Image: "example/billing:v2"})})
	wantPhase(t, res, PhaseRolledBack, "success rate of billing-canary is 80.50%, below the 99.00% required", "the stable track kept serving")
	if n := len(prom.asked()); n != 1 {
		t.Errorf("Prometheus was asked %d queries, want 1: the first step fails", n)
	}
	images, ready := e.podImages(t, "app.kubernetes.io/name=billing")
	if images["example/billing:v1"] != 2 || ready != 2 {
		t.Errorf("after the abort the stable track is %v with %d ready, want 2 ready v1", images, ready)
	}
	if _, err := e.client.AppsV1().Deployments(e.ns).Get(context.Background(), "billing-canary", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the canary after the abort: %v, want removed", err)
	}
}
