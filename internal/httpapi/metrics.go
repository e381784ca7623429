package httpapi

import (
	"crypto/subtle"
	"database/sql"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/usecapsule/capsule"
)

// metrics are the API's Prometheus collectors. Labels use the route pattern,
// never the raw path, so IDs cannot blow up the series count.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	token    string // Config.MetricsToken
}

// PoolStatsFunc returns the figures of the store's connection pools by pool
// name (SQLite has a "write" and a "read" pool, PostgreSQL one "main").
type PoolStatsFunc func() map[string]sql.DBStats

func newMetrics(reg *prometheus.Registry, pools PoolStatsFunc) (*metrics, error) {
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "capsule_http_requests_total", Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "capsule_http_request_duration_seconds", Help: "HTTP request latency by route pattern and status code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "code"}),
	}
	cs := []prometheus.Collector{m.requests, m.latency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})}
	if pools != nil {
		cs = append(cs, dbStatsCollector{pools})
	}
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, code).Inc()
	m.latency.WithLabelValues(route, code).Observe(d.Seconds())
}

// handler serves /metrics on the API's listener: only to a bearer of the
// metrics token, and not at all without one (the figures name routes and
// load, which is no business of every client of the API; a scraper that
// cannot send a token gets a listener of its own, see MetricsHandler).
func (m *metrics) handler() handlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return func(w http.ResponseWriter, r *http.Request) error {
		if m.token == "" {
			return capsule.Errorf(capsule.KindNotFound, capsule.CodeNotFound,
				"metrics are not served on this address: start the server with --metrics-token or --metrics-addr")
		}
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(m.token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			return unauthenticated("/metrics needs Authorization: Bearer with the metrics token")
		}
		h.ServeHTTP(w, r)
		return nil
	}
}

// MetricsHandler serves the API's metrics without a token, for a listener
// of their own (capsule server --metrics-addr).
func (a *API) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{})
}

var (
	dbOpenDesc  = prometheus.NewDesc("capsule_db_open_connections", "Open database connections.", []string{"pool"}, nil)
	dbInUseDesc = prometheus.NewDesc("capsule_db_in_use_connections", "Database connections in use.", []string{"pool"}, nil)
	dbIdleDesc  = prometheus.NewDesc("capsule_db_idle_connections", "Idle database connections.", []string{"pool"}, nil)
	dbMaxDesc   = prometheus.NewDesc("capsule_db_max_open_connections", "Maximum open database connections.", []string{"pool"}, nil)
	dbWaitDesc  = prometheus.NewDesc("capsule_db_wait_count_total", "Times a query waited for a free connection.", []string{"pool"}, nil)
	dbWaitSDesc = prometheus.NewDesc("capsule_db_wait_duration_seconds_total", "Total time spent waiting for a free connection.", []string{"pool"}, nil)
)

// dbStatsCollector reads sql.DBStats at scrape time.
type dbStatsCollector struct{ pools PoolStatsFunc }

func (c dbStatsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{dbOpenDesc, dbInUseDesc, dbIdleDesc, dbMaxDesc, dbWaitDesc, dbWaitSDesc} {
		ch <- d
	}
}

func (c dbStatsCollector) Collect(ch chan<- prometheus.Metric) {
	for pool, st := range c.pools() {
		ch <- prometheus.MustNewConstMetric(dbOpenDesc, prometheus.GaugeValue, float64(st.OpenConnections), pool)
		ch <- prometheus.MustNewConstMetric(dbInUseDesc, prometheus.GaugeValue, float64(st.InUse), pool)
		ch <- prometheus.MustNewConstMetric(dbIdleDesc, prometheus.GaugeValue, float64(st.Idle), pool)
		ch <- prometheus.MustNewConstMetric(dbMaxDesc, prometheus.GaugeValue, float64(st.MaxOpenConnections), pool)
		ch <- prometheus.MustNewConstMetric(dbWaitDesc, prometheus.CounterValue, float64(st.WaitCount), pool)
		ch <- prometheus.MustNewConstMetric(dbWaitSDesc, prometheus.CounterValue, st.WaitDuration.Seconds(), pool)
	}
}
