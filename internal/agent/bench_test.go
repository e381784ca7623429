package agent_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/usecapsule/capsule/internal/agent"
	"github.com/usecapsule/capsule/internal/testenv"
)

// BenchmarkInitialSync measures an agent's initial sync: from start to the
// control plane holding every pod of the cluster. By default it creates
// $CAPSULE_BENCH_AGENT_PODS (default 50) pods in the package's simulated
// cluster; with $CAPSULE_BENCH_KUBECONFIG it syncs whatever pods that
// cluster runs instead (e.g. the 5k scenario of bench/simcluster.sh). It
// reports pods/s, the Go heap the agent and the control plane hold
// together after the sync per pod, and the process's peak resident set.
func BenchmarkInitialSync(b *testing.B) {
	c := benchCluster(b)
	want := benchPods(b, c)
	var heapPerPod float64
	for b.Loop() {
		cp := startControlPlane(b)
		cluster := fmt.Sprintf("bench-%d", time.Now().UnixNano())
		stop := runAgent(b, c, cp.url(), cp.joinToken(b, cluster), "", agent.Privacy{})
		eventually(b, 10*time.Minute, "initial sync", func() (bool, string) {
			st, err := cp.inv.Status(context.Background(), cluster)
			if err != nil {
				return false, err.Error()
			}
			return st.Counts["Pod"] >= want, fmt.Sprintf("%d of %d pods", st.Counts["Pod"], want)
		})
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heapPerPod = float64(ms.HeapInuse) / float64(max(want, 1))
		stop()
		cp.stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(want)*float64(b.N)/b.Elapsed().Seconds(), "pods/s")
	b.ReportMetric(heapPerPod, "heap-bytes/pod")
	if kb := peakRSSKiB(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "peak-rss-MiB")
	}
}

// peakRSSKiB is this process's peak resident set (VmHWM): the agent, the
// control plane and the test together, an upper bound on the agent's.
func peakRSSKiB() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	return 0
}

func benchCluster(b *testing.B) *testenv.Cluster {
	path := os.Getenv("CAPSULE_BENCH_KUBECONFIG")
	if path == "" {
		return testenv.Shared(b)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		b.Fatalf("CAPSULE_BENCH_KUBECONFIG: %v", err)
	}
	return &testenv.Cluster{Config: cfg, ReadOnlyConfig: cfg}
}

// benchPods creates the pods to sync in the simulated cluster and returns
// how many pods the cluster has in all.
func benchPods(b *testing.B, c *testenv.Cluster) int {
	d := admin(b, c)
	if os.Getenv("CAPSULE_BENCH_KUBECONFIG") == "" {
		n := 50
		if s := os.Getenv("CAPSULE_BENCH_AGENT_PODS"); s != "" {
			v, err := strconv.Atoi(s)
			if err != nil || v < 0 {
				b.Fatalf("CAPSULE_BENCH_AGENT_PODS=%q is not a count", s)
			}
			n = v
		}
		ns := c.Namespace(b)
		for i := range n {
			create(b, d, ns, compared["Pod"], map[string]any{"apiVersion": "v1", "kind": "Pod",
				"metadata": map[string]any{"name": fmt.Sprintf("bench-%d", i)},
				"spec":     map[string]any{"containers": []any{map[string]any{"name": "app", "image": "app:1"}}}})
		}
	}
	l, err := d.Resource(compared["Pod"]).List(context.Background(), metav1ListAll)
	if err != nil {
		b.Fatal(err)
	}
	return len(l.Items)
}

var metav1ListAll = metav1.ListOptions{}
