package gitdelivery

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// onNthAdvertisement runs fn (once) just before the nth upload-pack
// advertisement request of the client goes out: the second one of a
// delivery is its check, just before pushing, that the base did not move.
type onNthAdvertisement struct {
	next    http.RoundTripper
	service string // git-upload-pack or git-receive-pack
	n       int
	fn      func()

	mu   sync.Mutex
	seen int
}

func (o *onNthAdvertisement) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/info/refs") && r.URL.Query().Get("service") == o.service {
		o.mu.Lock()
		o.seen++
		if o.seen == o.n {
			o.fn()
		}
		o.mu.Unlock()
	}
	return o.next.RoundTrip(r)
}

func racingDeliverer(t *testing.T, f *forge, fn func()) *Deliverer {
	return hookedDeliverer(t, f, "git-upload-pack", 2, fn)
}

func hookedDeliverer(t *testing.T, f *forge, service string, n int, fn func()) *Deliverer {
	t.Helper()
	d := f.deliverer(t, Config{})
	c := *d.cfg.Client
	c.Transport = &onNthAdvertisement{next: c.Transport, service: service, n: n, fn: fn}
	d.cfg.Client = &c
	return d
}

func TestBaseMovingDuringDelivery(t *testing.T) {
	t.Parallel()
	t.Run("disjoint change is rebased", func(t *testing.T) {
		t.Parallel()
		f := newForge(t, "x-access-token")
		url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n"})
		var upstream string
		d := racingDeliverer(t, f, func() { upstream = f.commitAs(t, "app", "main", map[string]string{"README.md": "moved\n"}) })
		res, err := d.Deliver(context.Background(), promotion("m1", url, map[string]string{"deployment-web.yaml": deploymentV1}))
		if err != nil || len(res.Conflicts) != 0 {
			t.Fatalf("%+v, %v", res, err)
		}
		if got := strings.TrimSpace(gitCLI(t, f.bare("app"), "log", "-1", "--format=%P", res.Commit)); got != upstream || upstream == "" {
			t.Fatalf("parent %s, want the commit pushed meanwhile %s", got, upstream)
		}
	})
	t.Run("conflicting change is reported", func(t *testing.T) {
		t.Parallel()
		f := newForge(t, "x-access-token")
		url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n"})
		d := racingDeliverer(t, f, func() {
			f.commitAs(t, "app", "main", map[string]string{"envs/prod/deployment-web.yaml": "kind: Deployment # by hand\n"})
		})
		res, err := d.Deliver(context.Background(), promotion("m2", url, map[string]string{"deployment-web.yaml": deploymentV1}))
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"envs/prod/deployment-web.yaml"}; !reflect.DeepEqual(res.Conflicts, want) {
			t.Fatalf("conflicts %v, want %v", res.Conflicts, want)
		}
		if branchExists(f, "capsule/promotion-m2") {
			t.Fatal("pushed despite the conflict")
		}
	})
}

// A push to the promotion branch between Capsule's fetch and its push
// loses the lease: Capsule's push is refused and the other commit stays.
func TestLeaseRefusesOverwritingAConcurrentPush(t *testing.T) {
	t.Parallel()
	f := newForge(t, "x-access-token")
	url := f.newRepo(t, "app", map[string]string{"README.md": "hi\n"})
	req := promotion("m3", url, map[string]string{"deployment-web.yaml": deploymentV1})
	if _, err := f.deliverer(t, Config{}).Deliver(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	var other string
	d := hookedDeliverer(t, f, "git-receive-pack", 1, func() {
		other = f.commitAs(t, "app", "capsule/promotion-m3", map[string]string{"NOTES.md": "racing\n"})
	})
	req.Files["deployment-web.yaml"] = []byte(deploymentV2)
	_, err := d.Deliver(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), "branch capsule/promotion-m3: push") {
		t.Fatalf("err = %v", err)
	}
	if got := strings.TrimSpace(gitCLI(t, f.bare("app"), "rev-parse", "capsule/promotion-m3")); got != other {
		t.Fatalf("branch at %s, want the concurrent commit %s", got, other)
	}
}
