package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Analysis holds the canary's metric checks, which run between steps when
// the engine has a Prometheus URL (pod health is always checked). The
// queries are PromQL with {{namespace}} and {{workload}} (the canary
// Deployment's name) replaced; the defaults read the conventional
// http_requests_total counter (label code) and the
// http_request_duration_seconds histogram, like Flagger's built-in checks.
type Analysis struct {
	// SuccessRateQuery returns the canary's non-5xx share of requests in
	// percent; MinSuccessRate (default 99) is its floor.
	SuccessRateQuery string
	MinSuccessRate   float64
	// LatencyQuery returns the canary's p99 latency in seconds;
	// MaxLatency (default 500ms) is its ceiling.
	LatencyQuery string
	MaxLatency   time.Duration
}

// Defaults of Analysis.
const (
	DefaultMinSuccessRate   = 99.0
	DefaultMaxLatency       = 500 * time.Millisecond
	canaryPods              = `namespace="{{namespace}}",pod=~"{{workload}}-[a-z0-9]+-[a-z0-9]+"`
	DefaultSuccessRateQuery = `sum(rate(http_requests_total{` + canaryPods + `,code!~"5.."}[1m])) / sum(rate(http_requests_total{` + canaryPods + `}[1m])) * 100`
	DefaultLatencyQuery     = `histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket{` + canaryPods + `}[1m])) by (le))`
)

func (a Analysis) withDefaults() Analysis {
	if a.SuccessRateQuery == "" {
		a.SuccessRateQuery = DefaultSuccessRateQuery
	}
	if a.MinSuccessRate == 0 {
		a.MinSuccessRate = DefaultMinSuccessRate
	}
	if a.LatencyQuery == "" {
		a.LatencyQuery = DefaultLatencyQuery
	}
	if a.MaxLatency == 0 {
		a.MaxLatency = DefaultMaxLatency
	}
	return a
}

// analyze runs the metric checks of one canary step. A threshold crossed,
// no samples (a canary without traffic proves nothing) or Prometheus not
// answering all fail the step.
func (e *Engine) analyze(ctx context.Context, ns, workload string, a Analysis) error {
	if e.opts.PrometheusURL == "" {
		return nil
	}
	a = a.withDefaults()
	fill := strings.NewReplacer("{{namespace}}", ns, "{{workload}}", workload)
	rate, err := e.queryPrometheus(ctx, fill.Replace(a.SuccessRateQuery))
	if err != nil {
		return &RolloutError{Reason: "AnalysisFailed", Message: "canary analysis: success rate: " + err.Error()}
	}
	if rate < a.MinSuccessRate {
		return &RolloutError{Reason: "AnalysisFailed", Message: fmt.Sprintf("canary analysis: the success rate of %s is %.2f%%, below the %.2f%% required", workload, rate, a.MinSuccessRate)}
	}
	p99, err := e.queryPrometheus(ctx, fill.Replace(a.LatencyQuery))
	if err != nil {
		return &RolloutError{Reason: "AnalysisFailed", Message: "canary analysis: p99 latency: " + err.Error()}
	}
	if lat := time.Duration(p99 * float64(time.Second)); lat > a.MaxLatency {
		return &RolloutError{Reason: "AnalysisFailed", Message: fmt.Sprintf("canary analysis: the p99 latency of %s is %s, above the %s allowed", workload, lat.Round(time.Millisecond), a.MaxLatency)}
	}
	return nil
}

// promResponse is Prometheus's /api/v1/query answer.
type promResponse struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// maxPromBody bounds a query answer: one number is a few hundred bytes.
const maxPromBody = 1 << 20

// queryPrometheus runs an instant query and returns its single value (the
// first sample of a vector, or a scalar).
func (e *Engine) queryPrometheus(ctx context.Context, query string) (float64, error) {
	u := strings.TrimRight(e.opts.PrometheusURL, "/") + "/api/v1/query?" + url.Values{"query": {query}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, fmt.Errorf("bad Prometheus URL %q: %w", e.opts.PrometheusURL, err)
	}
	resp, err := e.opts.HTTPClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("query Prometheus: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPromBody))
	if err != nil {
		return 0, fmt.Errorf("read Prometheus's answer: %w", err)
	}
	var pr promResponse
	if err := json.Unmarshal(body, &pr); err != nil {
		return 0, fmt.Errorf("the Prometheus server answered HTTP %d with no query result", resp.StatusCode)
	}
	if pr.Status != "success" {
		return 0, fmt.Errorf("the Prometheus server refused the query (%s): %s", pr.ErrorType, pr.Error)
	}
	return sampleValue(pr.Data.ResultType, pr.Data.Result, query)
}

// sampleValue reads the number out of a vector or scalar result.
func sampleValue(resultType string, raw json.RawMessage, query string) (float64, error) {
	var pair []any
	switch resultType {
	case "vector":
		var vec []struct {
			Value []any `json:"value"`
		}
		if err := json.Unmarshal(raw, &vec); err != nil {
			return 0, fmt.Errorf("the Prometheus vector result: %w", err)
		}
		if len(vec) == 0 {
			return 0, fmt.Errorf("the Prometheus server returned no samples for %s (does the canary receive traffic and export the metric?)", query)
		}
		pair = vec[0].Value
	case "scalar":
		if err := json.Unmarshal(raw, &pair); err != nil {
			return 0, fmt.Errorf("the Prometheus scalar result: %w", err)
		}
	default:
		return 0, fmt.Errorf("the Prometheus server returned a %s for %s; the query must give one number (a scalar or a one-sample vector)", resultType, query)
	}
	if len(pair) != 2 {
		return 0, fmt.Errorf("the Prometheus sample is not a [time, value] pair")
	}
	s, _ := pair[1].(string)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("the Prometheus sample value %q is not a number", s)
	}
	if math.IsNaN(v) {
		return 0, fmt.Errorf("the Prometheus server returned NaN for %s (no requests in the window)", query)
	}
	return v, nil
}
