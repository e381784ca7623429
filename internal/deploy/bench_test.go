package deploy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/render"
	"github.com/usecapsule/capsule/internal/testenv"
)

// The two benchmarks below do the same work on the same cluster — a
// rolling update of a 3-replica service to a new image, to completion —
// one through the engine, one through kubectl apply and kubectl rollout
// status, so the engine's cost can be compared with the tool users know.

func BenchmarkRollingDeploy3Replicas(b *testing.B) {
	c := testenv.Shared(b)
	ns := c.Namespace(b)
	e, err := New(c.Config, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	rev := 0
	for b.Loop() {
		rev++
		objs := rendered(b, ns, webSpec("bench", 3), render.Options{Image: fmt.Sprintf("example/bench:v%d", rev)})
		res, err := e.Deploy(ctx, Request{Namespace: ns, Service: "bench", Revision: rev, Objects: objs}, nil)
		if err != nil || res.Phase != PhaseRunning {
			b.Fatalf("revision %d: %v %s", rev, err, res.Message)
		}
	}
}

func BenchmarkKubectlApplyRolloutStatus3Replicas(b *testing.B) {
	c := testenv.Shared(b)
	ns := c.Namespace(b)
	ctx := context.Background()
	file := filepath.Join(b.TempDir(), "bench.yaml")
	rev := 0
	for b.Loop() {
		rev++
		b.StopTimer()
		spec := webSpec("bench", 3)
		objs := rendered(b, ns, spec, render.Options{Image: fmt.Sprintf("example/bench:v%d", rev)})
		typed, err := renderTyped(ns, spec, rev)
		if err != nil || len(typed) != len(objs) {
			b.Fatal(err)
		}
		y, err := render.Marshal(typed, "yaml")
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(file, y, 0o600); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if out, err := c.Kubectl(ctx, "-n", ns, "apply", "-f", file); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		out, err := c.Kubectl(ctx, "-n", ns, "rollout", "status", "deployment/bench", "--timeout=120s")
		if err != nil || !strings.Contains(string(out), "successfully rolled out") {
			b.Fatalf("%v: %s", err, out)
		}
	}
}
