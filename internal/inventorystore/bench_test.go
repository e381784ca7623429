package inventorystore_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/agentproto"
)

// BenchmarkSnapshotOfPods stores a snapshot of $CAPSULE_BENCH_PODS
// (default 5,000) pods of about 3 KiB each, as the control plane does when
// an agent's final snapshot part arrives, then one delta batch of 500.
func BenchmarkSnapshotOfPods(b *testing.B) {
	n := 5000
	if s := os.Getenv("CAPSULE_BENCH_PODS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			b.Fatalf("CAPSULE_BENCH_PODS=%q is not a count", s)
		}
		n = v
	}
	pad := strings.Repeat("x", 3000)
	objs := make([]agentproto.Object, n)
	for i := range objs {
		objs[i] = obj("Pod", fmt.Sprintf("ns-%d", i%50), fmt.Sprintf("pod-%d", i), fmt.Sprintf("uid-%d", i), "1")
		objs[i].Body = []byte(fmt.Sprintf(`{"kind":"Pod","metadata":{"name":"pod-%d"},"pad":%q}`, i, pad))
	}
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			e := open(b, d.dsn(b))
			s := e.service()
			ctx := context.Background()
			r := register(b, s, "cluster-bench")
			a, _ := s.Authenticate(ctx, r.AgentID, r.Credential)
			i := 0
			for b.Loop() {
				i++
				session := fmt.Sprintf("s%d", i)
				part := agentproto.SnapshotPart{Version: 1, Session: session, Seq: 0, Final: true, Kinds: []string{"Pod"}, Objects: objs}
				if ack, err := s.Snapshot(ctx, a, part); err != nil || ack.Resync {
					b.Fatalf("snapshot: %+v %v", ack, err)
				}
				deltas := make([]agentproto.Delta, 500)
				for j := range deltas {
					o := objs[j]
					o.ResourceVersion = "2"
					deltas[j] = agentproto.Delta{Seq: uint64(j + 1), Op: agentproto.OpUpsert, Object: o}
				}
				if ack, err := s.Deltas(ctx, a, agentproto.DeltaBatch{Version: 1, Session: session, Deltas: deltas}); err != nil || ack.Resync {
					b.Fatalf("deltas: %+v %v", ack, err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "pods/s")
		})
	}
}
