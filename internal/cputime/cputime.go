// Package cputime measures the CPU time a benchmark spends, beside the wall
// time `go test -bench` reports. On a shared machine wall time mostly
// measures the neighbours; user+system CPU time of the process is the steadier
// figure, so the engines' benchmarks report both.
package cputime

import (
	"syscall"
	"testing"
	"time"
)

// Now returns the process's user+system CPU time so far (0 where getrusage
// fails, which makes the reported metric 0 rather than wrong).
func Now() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Report adds the metric "cpu-ns/op": the CPU time since start divided by n
// operations.
func Report(b *testing.B, start time.Duration, n int) {
	b.Helper()
	if n <= 0 {
		return
	}
	b.ReportMetric(float64(Now()-start)/float64(n), "cpu-ns/op")
}
