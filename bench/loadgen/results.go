package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// results collect per-request latencies and statuses.
type results struct {
	latencies []time.Duration
	statuses  map[int]int
	errors    int
	ok        int
	elapsed   time.Duration
}

func newResults() *results { return &results{statuses: map[int]int{}} }

func (r *results) add(d time.Duration, status int, err error) {
	if err != nil {
		r.errors++
		return
	}
	r.statuses[status]++
	if status < 400 {
		r.ok++
	}
	r.latencies = append(r.latencies, d)
}

func (r *results) merge(o *results) {
	r.latencies = append(r.latencies, o.latencies...)
	for k, v := range o.statuses {
		r.statuses[k] += v
	}
	r.errors += o.errors
	r.ok += o.ok
}

// percentile returns the p-th percentile (nearest rank) of sorted latencies.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func (r *results) print(w io.Writer, c config) {
	slices.Sort(r.latencies)
	n := len(r.latencies)
	rate := float64(n) / r.elapsed.Seconds()
	fmt.Fprintf(w, "%s %s  clients=%d  duration=%s\n", c.method, c.path, c.concurrency, r.elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "requests=%d  ok=%d  transport-errors=%d  statuses=%v\n", n, r.ok, r.errors, r.statuses)
	fmt.Fprintf(w, "throughput=%.0f req/s\n", rate)
	fmt.Fprintf(w, "latency p50=%s p95=%s p99=%s max=%s\n",
		ms(percentile(r.latencies, 50)), ms(percentile(r.latencies, 95)), ms(percentile(r.latencies, 99)), ms(percentile(r.latencies, 100)))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }
