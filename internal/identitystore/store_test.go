package identitystore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/usecapsule/capsule/internal/identity"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/pgtest"
	"github.com/usecapsule/capsule/internal/secretbox"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type fixture struct {
	st    *sqlstore.Store
	ids   *identitystore.Store
	dsn   string // the SQLite file or the PostgreSQL URL
	orgID string
	user  string
}

// forEachDB runs f against a fresh SQLite file and a fresh PostgreSQL database.
func forEachDB(t *testing.T, f func(t *testing.T, fx *fixture)) {
	for name, dsn := range map[string]func(testing.TB) string{
		"sqlite":   func(t testing.TB) string { return filepath.Join(t.TempDir(), "capsule.db") },
		"postgres": pgtest.Start,
	} {
		t.Run(name, func(t *testing.T) { f(t, open(t, dsn(t))) })
	}
}

func open(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u := &capsule.User{Email: "a@example.com", Name: "A"}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	o := &capsule.Organization{Name: "acme", Slug: "acme"}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateOrganization(ctx, o, u.ID); err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, ids: identitystore.New(st), dsn: dsn, orgID: o.ID, user: u.ID}
}

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func TestLockout(t *testing.T) { forEachDB(t, testLockout) }

func testLockout(t *testing.T, f *fixture) {
	ctx := context.Background()
	th := identitystore.Throttle{Free: 3, MaxDelay: 10 * time.Second}
	key := "pair:a@example.com|192.0.2.1"
	now := t0
	// Free failures cost nothing; then each delay doubles, up to the cap.
	for i, want := range []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		until, err := f.ids.RecordLoginFailure(ctx, key, now, th)
		if err != nil {
			t.Fatal(err)
		}
		if got := until.Sub(now); (want == 0 && !until.IsZero()) || (want > 0 && got != want) {
			t.Fatalf("failure %d: delay %v, want %v", i+1, got, want)
		}
		if want > 0 {
			if got, _ := f.ids.LockedUntil(ctx, key, now); !got.Equal(until) {
				t.Fatalf("LockedUntil = %v, want %v", got, until)
			}
			now = until
		}
		if got, _ := f.ids.LockedUntil(ctx, key, now); !got.IsZero() {
			t.Fatalf("still delayed at its end: %v", got)
		}
	}
	// A failure during a delay does not extend it.
	until, _ := f.ids.RecordLoginFailure(ctx, key, now, th)
	if again, _ := f.ids.RecordLoginFailure(ctx, key, now.Add(time.Millisecond), th); !again.IsZero() {
		t.Fatalf("failure during a delay extended it to %v", again)
	}
	if got, _ := f.ids.LockedUntil(ctx, key, now.Add(time.Second)); !got.Equal(until) {
		t.Fatalf("delay changed to %v, want %v", got, until)
	}
	// A success forgets the failures.
	if err := f.ids.ClearLoginFailures(ctx, key); err != nil {
		t.Fatal(err)
	}
	if until, _ := f.ids.RecordLoginFailure(ctx, key, now, th); !until.IsZero() {
		t.Fatalf("first failure after a success delayed: %v", until)
	}
	// Failures spread beyond the window never delay.
	other := "pair:b@example.com|192.0.2.1"
	for i := range 10 {
		if until, _ := f.ids.RecordLoginFailure(ctx, other, t0.Add(time.Duration(i)*(identitystore.FailureWindow+time.Second)), th); !until.IsZero() {
			t.Fatalf("delayed after %d spread failures", i+1)
		}
	}
}

func TestAuditAppendVerifyTamper(t *testing.T) { forEachDB(t, testAuditAppendVerifyTamper) }

func testAuditAppendVerifyTamper(t *testing.T, f *fixture) {
	ctx := context.Background()
	for i := range 5 {
		e := &audit.Entry{Time: t0.Add(time.Duration(i) * time.Second), ActorType: audit.ActorUser, ActorID: f.user,
			Action: "project.create", OrganizationID: f.orgID, Outcome: audit.OutcomeSuccess,
			After: map[string]string{"name": "p"}}
		if err := f.ids.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		if e.Seq != int64(i+1) {
			t.Fatalf("seq = %d", e.Seq)
		}
	}
	r, err := f.ids.VerifyAudit(ctx)
	if err != nil || r.Finding != nil || r.Checked != 5 {
		t.Fatalf("VerifyAudit = %+v, %v", r, err)
	}
	es, err := f.ids.ListAudit(ctx, identitystore.AuditFilter{OrganizationID: f.orgID, Action: "project.*", AfterSeq: 2})
	if err != nil || len(es) != 3 || es[0].Seq != 3 {
		t.Fatalf("ListAudit = %d entries, %v", len(es), err)
	}
	// SQL metacharacters in filters are data, not SQL.
	if es, err := f.ids.ListAudit(ctx, identitystore.AuditFilter{ActorID: "' OR 1=1 --", Action: "%*"}); err != nil || len(es) != 0 {
		t.Fatalf("metacharacter filter = %d, %v", len(es), err)
	}
	// Edit a row behind the store's back.
	if _, err := f.st.DB().Exec(`UPDATE audit_log SET outcome = 'failure' WHERE seq = 3`); err != nil {
		t.Fatal(err)
	}
	r, err = f.ids.VerifyAudit(ctx)
	if err != nil || r.Finding == nil || r.Finding.Seq != 3 || r.Finding.Problem != audit.Altered {
		t.Fatalf("after tamper: %+v, %v", r, err)
	}
}

func TestSecretsAtRestAndRotation(t *testing.T) { forEachDB(t, testSecretsAtRestAndRotation) }

func testSecretsAtRestAndRotation(t *testing.T, f *fixture) {
	ctx := context.Background()
	oldKEK, _ := secretbox.NewKEK(bytes.Repeat([]byte{1}, 32))
	newKEK, _ := secretbox.NewKEK(bytes.Repeat([]byte{2}, 32))
	ring := secretbox.NewKeyring(oldKEK)
	value := []byte("sk_live_THIS-MUST-NOT-BE-ON-DISK-4242")
	seal := func(v []byte) identitystore.SealFunc {
		return func(id string, version int) (secretbox.Sealed, error) {
			return ring.Seal(v, identity.SecretAAD(id, version))
		}
	}
	sec := &identitystore.Secret{OrganizationID: f.orgID, Name: "STRIPE_KEY", CreatedBy: f.user}
	if err := f.ids.PutSecret(ctx, sec, seal(value), t0); err != nil {
		t.Fatal(err)
	}
	sec2 := &identitystore.Secret{OrganizationID: f.orgID, Name: "STRIPE_KEY", CreatedBy: f.user}
	if err := f.ids.PutSecret(ctx, sec2, seal([]byte("v2-value")), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if sec2.ID != sec.ID || sec2.CurrentVersion != 2 {
		t.Fatalf("second put = %+v", sec2)
	}
	open := func(version int) string {
		t.Helper()
		s, v, err := f.ids.SecretVersion(ctx, sec.ID, version)
		if err != nil {
			t.Fatal(err)
		}
		out, err := ring.Open(s, identity.SecretAAD(sec.ID, v))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	if open(0) != "v2-value" || open(1) != string(value) {
		t.Fatal("versions do not read back")
	}
	// Rotate the master key: both loaded while re-wrapping.
	ring = secretbox.NewKeyring(newKEK, oldKEK)
	n, err := f.ids.RewrapSecrets(ctx, newKEK.ID, func(id string, v int, s secretbox.Sealed) (secretbox.Sealed, error) {
		return ring.Rewrap(s, identity.SecretAAD(id, v))
	})
	if err != nil || n != 2 {
		t.Fatalf("RewrapSecrets = %d, %v", n, err)
	}
	ring = secretbox.NewKeyring(newKEK)
	if open(1) != string(value) {
		t.Fatal("old version unreadable after rotation")
	}
	assertNotAtRest(t, f, value, []byte("v2-value"))
}

// assertNotAtRest searches the raw SQLite file (and its WAL) or every
// row of the PostgreSQL secret tables, as text, for the values. A control
// search for the secret's name, which is stored in clear, must succeed.
func assertNotAtRest(t *testing.T, f *fixture, values ...[]byte) {
	t.Helper()
	var raw []byte
	if strings.HasPrefix(f.dsn, "postgres") {
		for _, q := range []string{`SELECT t::text FROM secret_versions t`, `SELECT t::text FROM secrets t`} {
			rows, err := f.st.DB().Query(q)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				raw = append(raw, s...)
			}
			rows.Close()
		}
	} else {
		f.st.Close()
		for _, p := range []string{f.dsn, f.dsn + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			raw = append(raw, b...)
		}
	}
	for _, v := range values {
		if bytes.Contains(raw, v) {
			t.Fatalf("secret value %q found at rest", v)
		}
	}
	if !bytes.Contains(raw, []byte("STRIPE_KEY")) {
		t.Fatal("the search cannot even find the secret's name; it proves nothing")
	}
}

func TestAuditArchive(t *testing.T) { forEachDB(t, testAuditArchive) }

func testAuditArchive(t *testing.T, f *fixture) {
	ctx := context.Background()
	for i := range 6 {
		e := &audit.Entry{Time: t0.Add(time.Duration(i) * time.Hour), ActorType: audit.ActorSystem, Action: "tick", Outcome: audit.OutcomeSuccess}
		if err := f.ids.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	var archive bytes.Buffer
	res, err := f.ids.ArchiveAudit(ctx, t0.Add(3*time.Hour+time.Minute), &archive)
	if err != nil || res.Archived != 4 || res.To.Seq != 4 {
		t.Fatalf("ArchiveAudit = %+v, %v", res, err)
	}
	// The archive verifies on its own, the remaining log from the new anchor.
	var archived []audit.Entry
	dec := json.NewDecoder(&archive)
	for dec.More() {
		var e audit.Entry
		if err := dec.Decode(&e); err != nil {
			t.Fatal(err)
		}
		archived = append(archived, e)
	}
	if v := audit.Verify(archived, res.From); v.Finding != nil || v.Checked != 4 {
		t.Fatalf("archive verify: %+v", v)
	}
	if v, err := f.ids.VerifyAudit(ctx); err != nil || v.Finding != nil || v.Checked != 2 {
		t.Fatalf("remaining log: %+v, %v", v, err)
	}
	// Appends continue the chain.
	if err := f.ids.AppendAudit(ctx, &audit.Entry{Time: t0.Add(7 * time.Hour), ActorType: audit.ActorSystem, Action: "tick", Outcome: audit.OutcomeSuccess}); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.ids.VerifyAudit(ctx); v.Finding != nil || v.Checked != 3 {
		t.Fatalf("after append: %+v", v)
	}
	// The newest entry is never archived.
	res, err = f.ids.ArchiveAudit(ctx, t0.Add(100*time.Hour), io.Discard)
	if err != nil || res.Archived != 2 {
		t.Fatalf("second archive = %+v, %v", res, err)
	}
}

// TestAuditConcurrentAppends: many concurrent appends (group-committed)
// form one unbroken chain.
func TestAuditConcurrentAppends(t *testing.T) { forEachDB(t, testAuditConcurrentAppends) }

func testAuditConcurrentAppends(t *testing.T, f *fixture) {
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- f.ids.AppendAudit(ctx, &audit.Entry{ActorType: audit.ActorSystem, Action: "tick", Outcome: audit.OutcomeSuccess,
				After: map[string]string{"i": strconv.Itoa(i)}})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if v, err := f.ids.VerifyAudit(ctx); err != nil || v.Finding != nil || v.Checked != 64 {
		t.Fatalf("VerifyAudit = %+v, %v", v, err)
	}
}

func BenchmarkAppendAuditParallel(b *testing.B) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "capsule.db"), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ids := identitystore.New(st)
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := ids.AppendAudit(ctx, &audit.Entry{ActorType: audit.ActorSystem, Action: "tick", Outcome: audit.OutcomeSuccess}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
