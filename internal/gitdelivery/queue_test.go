package gitdelivery

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Many promotions at once against one provider that rate-limits for a
// while: every one is delivered, and no more than PerHost run at a time.
func TestQueueDeliversAllUnderRateLimit(t *testing.T) {
	t.Parallel()
	const n, perHost = 200, 4
	f := newForge(t, "x-access-token")
	url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n"})
	d := f.deliverer(t, Config{PerHost: perHost, MaxRateLimitWait: time.Minute})
	f.limitWindow = 1500 * time.Millisecond

	q := d.NewQueue(context.Background())
	for i := range n {
		q.Submit(promotion(fmt.Sprintf("q%03d", i), url, map[string]string{"deployment-web.yaml": deploymentV1 + fmt.Sprintf("# %d\n", i)}))
	}
	out := q.Wait()
	if len(out) != n {
		t.Fatalf("%d outcomes, want %d", len(out), n)
	}
	seen := map[string]bool{}
	for _, o := range out {
		if o.Err != nil || o.Result.PRState != "open" || seen[o.Result.PRURL] {
			t.Fatalf("%s: %+v, %v", o.Request.PromotionID, o.Result, o.Err)
		}
		seen[o.Result.PRURL] = true
	}
	if f.limited.Load() == 0 {
		t.Fatal("the provider never rate-limited: the test proves nothing")
	}
	if m := f.maxInFlight.Load(); m > perHost {
		t.Fatalf("%d API requests at once, want at most %d", m, perHost)
	}
	if len(f.pulls) != n || len(f.comments) != n {
		t.Fatalf("%d pull requests and %d comments, want %d", len(f.pulls), len(f.comments), n)
	}
	branches := gitCLI(t, f.bare("app"), "for-each-ref", "--format=%(refname)", "refs/heads/capsule/")
	if got := strings.Count(branches, "\n"); got != n {
		t.Fatalf("%d promotion branches, want %d", got, n)
	}
}
