package testenv_test

import (
	"testing"

	"github.com/usecapsule/capsule/internal/testenv"
)

// BenchmarkWarmStart measures a cluster launch with cached binaries, from
// nothing to three schedulable nodes (the budget is 20 s).
func BenchmarkWarmStart(b *testing.B) {
	for b.Loop() {
		c := testenv.Start(b)
		b.StopTimer()
		c.Stop()
		b.StartTimer()
	}
}
