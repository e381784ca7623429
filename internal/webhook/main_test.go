package webhook_test

import (
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/pgtest"
	"github.com/usecapsule/capsule/internal/secretbox"
	"github.com/usecapsule/capsule/internal/sqlstore"
	"github.com/usecapsule/capsule/internal/webhook"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var dialects = []struct {
	name string
	dsn  func(t testing.TB) string
}{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "capsule.db") }},
	{"postgres", func(t testing.TB) string { return pgtest.StartFrom(t, "webhook", migrated) }},
}

func migrated(url string) error {
	s, err := sqlstore.Open(context.Background(), url, sqlstore.Options{})
	if err != nil {
		return err
	}
	return s.Close()
}

func forEachDialect(t *testing.T, f func(t *testing.T, dsn string)) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) { f(t, d.dsn(t)) })
	}
}

// testSchedule retries quickly: the tests are about what happens, not when.
var testSchedule = []time.Duration{20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond}

// plane is one control plane's view of the database: store, identity store
// (the secret store and audit log), the webhook service and a worker.
type plane struct {
	st     *sqlstore.Store
	ids    *identitystore.Store
	svc    *webhook.Service
	ring   *secretbox.Keyring
	org    string
	worker *webhook.Worker
	stop   func()
	// schedule overrides testSchedule for the plane's worker.
	schedule []time.Duration
}

var testKey = func() []byte { k := make([]byte, secretbox.KeySize); _, _ = rand.Read(k); return k }()

func loopback() []netip.Prefix { return []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} }

// openPlane opens the database; org is created when empty.
func openPlane(t *testing.T, dsn, org string) *plane {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	must(t, err)
	t.Cleanup(func() { st.Close() })
	kek, err := secretbox.NewKEK(testKey)
	must(t, err)
	p := &plane{st: st, ids: identitystore.New(st), ring: secretbox.NewKeyring(kek), org: org}
	p.ids.OnAuditAppend(webhook.AuditHook)
	p.svc = &webhook.Service{Store: webhook.NewStore(st.Database()), Secrets: p.ids, Keyring: p.ring, Allow: loopback()}
	if org == "" {
		u := &capsule.User{Email: "owner@example.com", Name: "Owner"}
		must(t, st.CreateUser(ctx, u))
		o := &capsule.Organization{Name: "Acme", Slug: "acme"}
		must(t, st.CreateOrganization(ctx, o, u.ID))
		p.org = o.ID
	}
	return p
}

// startWorker runs a worker with the guarded client (loopback allowed
// unless client says otherwise) until stop or the test's end.
func (p *plane) startWorker(t *testing.T, client *http.Client) {
	t.Helper()
	if client == nil {
		client = egress.New(egress.Options{Allow: loopback(), Timeout: 5 * time.Second})
	}
	schedule := testSchedule
	if p.schedule != nil {
		schedule = p.schedule
	}
	w, err := webhook.NewWorker(webhook.WorkerOptions{DB: p.st.Database(), Secrets: p.ids, Keyring: p.ring, Client: client,
		Auditor: p.ids, Poll: 10 * time.Millisecond, Timeout: 3 * time.Second, Schedule: schedule})
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	var once sync.Once
	p.worker, p.stop = w, func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(p.stop)
}

// receiver is an HTTP server that verifies every request with the
// Standard Webhooks reference library and answers scripted statuses
// (200 once the script is used up).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	secret string
	script []int
	got    []received
}

type received struct {
	id     string
	body   []byte
	verr   error
	header http.Header
}

func newReceiver(t *testing.T, script ...int) *receiver {
	t.Helper()
	r := &receiver{script: script}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		var verr error
		if wh, err := standardwebhooks.NewWebhook(r.secret); err != nil {
			verr = err
		} else {
			verr = wh.Verify(body, req.Header)
		}
		r.got = append(r.got, received{id: req.Header.Get("webhook-id"), body: body, verr: verr, header: req.Header.Clone()})
		status := http.StatusOK
		if len(r.script) > 0 {
			status, r.script = r.script[0], r.script[1:]
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "answer\x00with\ncontrol")
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// subscribe creates a subscription to the receiver and gives it the secret.
func (p *plane) subscribe(t *testing.T, r *receiver, events ...string) *webhook.Created {
	t.Helper()
	c, err := p.svc.Create(context.Background(), p.org, "user-1", webhook.Input{URL: r.srv.URL + "/hook", Events: events})
	must(t, err)
	r.mu.Lock()
	r.secret = c.Secret
	r.mu.Unlock()
	return c
}

// waitDelivery polls the subscription's newest delivery until cond holds.
func (p *plane) waitDelivery(t *testing.T, subID string, cond func(webhook.Delivery) bool) webhook.Delivery {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var last webhook.Delivery
	for time.Now().Before(deadline) {
		l, err := p.svc.Store.Deliveries(context.Background(), subID, capsule.Page{})
		must(t, err)
		if len(l.Items) > 0 {
			last = l.Items[0]
			if cond(last) {
				return last
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("delivery never reached the expected state; last: %+v", last)
	return last
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var pageAll = capsule.Page{Limit: capsule.MaxPageSize}

func dsn0(t *testing.T) string { return filepath.Join(t.TempDir(), "capsule.db") }
