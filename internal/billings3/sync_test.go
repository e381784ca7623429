package billings3_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/billings3"
	"github.com/usecapsule/capsule/internal/billingstore"
	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

const bucket = "billing-exports"

func focusCSV(day string, costs ...string) string {
	var b strings.Builder
	b.WriteString("ChargePeriodStart,BilledCost,EffectiveCost,ChargeCategory,Tags\n")
	for _, c := range costs {
		b.WriteString(day + "T00:00:00Z," + c + "," + c + ",Usage,\"{\"\"eks:cluster-name\"\":\"\"prod\"\"}\"\n")
	}
	return b.String()
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func put(t *testing.T, c *minio.Client, key string, data []byte) {
	t.Helper()
	if _, err := c.PutObject(context.Background(), bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{}); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

type fixture struct {
	st   *billingstore.Store
	db   *sqlstore.Store
	acct *billingstore.Account
	now  time.Time
}

func setup(t *testing.T, endpoint string) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "capsule.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	u := &capsule.User{Email: "owner@example.com", Name: "Owner"}
	must(t, db.CreateUser(ctx, u))
	o := &capsule.Organization{Name: "acme", Slug: "acme"}
	must(t, db.CreateOrganization(ctx, o, u.ID))
	st := billingstore.New(db)
	acct := &billingstore.Account{OrganizationID: o.ID, Name: "aws-payer", Provider: "aws",
		Source: &billingstore.ExportSource{S3: &billingstore.S3Source{Endpoint: endpoint, Region: "us-east-1", Bucket: bucket,
			Prefix: "exports/focus/", AccessKeyID: "capsuletest"}}}
	must(t, st.CreateAccount(ctx, acct))
	return &fixture{st: st, db: db, acct: acct, now: time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) scheduler(hc *egress.Options) *billings3.Scheduler {
	ids := identitystore.New(f.db)
	return &billings3.Scheduler{Store: f.st, HTTP: egress.New(*hc), Owner: "replica-a", Interval: time.Hour,
		SecretKey: func(ctx context.Context, id string) (string, error) { return gatewaySecret, nil },
		Audit: func(ctx context.Context, e audit.Entry) context.Context {
			c, _ := ids.WithAuditUnit(ctx, e)
			return c
		},
		Now: func() time.Time { return f.now }}
}

// totals are the account's imports: period -> rows and billed total.
func (f *fixture) totals(t *testing.T) map[string]string {
	t.Helper()
	rows, err := f.db.Database().Query(context.Background(), "SELECT period, row_count, billed_total FROM billing_imports WHERE account_id = ? ORDER BY period", f.acct.ID)
	must(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var p, total string
		var n int
		must(t, rows.Scan(&p, &n, &total))
		out[p] = fmt.Sprintf("%d %s", n, total)
	}
	must(t, rows.Err())
	return out
}

// TestSchedulerImportsFromS3: against a real S3-compatible server, a sweep
// imports each month of the export (its parts as one import, manifests and
// metadata skipped); a second sweep a day later imports nothing; a part
// rewritten by the export re-imports its month only; an object that cannot
// be read leaves the month as it was and is tried again; and the endpoint is
// an egress destination: without --egress-allow a loopback one is refused.
func TestSchedulerImportsFromS3(t *testing.T) {
	endpoint, c := startGateway(t)
	ctx := context.Background()
	must(t, c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}))
	put(t, c, "exports/focus/data/BILLING_PERIOD=2026-11/focus-00001.csv.gz", gz(t, focusCSV("2026-11-03", "1.50", "2.50")))
	put(t, c, "exports/focus/data/BILLING_PERIOD=2026-11/focus-00002.csv.gz", gz(t, focusCSV("2026-11-20", "4")))
	put(t, c, "exports/focus/data/BILLING_PERIOD=2026-10/focus-00001.csv", []byte(focusCSV("2026-10-31", "10")))
	put(t, c, "exports/focus/metadata/BILLING_PERIOD=2026-11/focus-Manifest.json", []byte(`{"dataFiles":[]}`))
	put(t, c, "exports/other/data/BILLING_PERIOD=2026-11/x.csv", []byte(focusCSV("2026-11-01", "99")))

	f := setup(t, endpoint)
	loopback := &egress.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}

	refused := f.scheduler(&egress.Options{})
	if n, err := refused.Sweep(ctx); n != 0 || err == nil || !strings.Contains(err.Error(), "egress: refusing") {
		t.Fatalf("loopback endpoint without an allow-list: %d, %v", n, err)
	}
	f.now = f.now.Add(2 * time.Hour)

	s := f.scheduler(loopback)
	if n, err := s.Sweep(ctx); n != 2 || err != nil {
		t.Fatalf("first sweep: %d months, %v", n, err)
	}
	want := map[string]string{"2026-10": "1 10.00", "2026-11": "3 8.00"}
	if got := f.totals(t); !equal(got, want) {
		t.Fatalf("imports %v, want %v", got, want)
	}
	if n, err := s.Sweep(ctx); n != 0 || err != nil {
		t.Fatalf("a sweep before the interval: %d, %v", n, err)
	}
	f.now = f.now.Add(24 * time.Hour)
	if n, err := s.Sweep(ctx); n != 0 || err != nil {
		t.Fatalf("a sweep with nothing changed: %d, %v", n, err)
	}

	put(t, c, "exports/focus/data/BILLING_PERIOD=2026-11/focus-00002.csv.gz", gz(t, focusCSV("2026-11-20", "4", "0.25")))
	f.now = f.now.Add(2 * time.Hour)
	if n, err := s.Sweep(ctx); n != 1 || err != nil {
		t.Fatalf("a sweep after a part changed: %d, %v", n, err)
	}
	want["2026-11"] = "4 8.25"
	if got := f.totals(t); !equal(got, want) {
		t.Fatalf("imports %v, want %v", got, want)
	}

	// A part cut off mid-stream: the month keeps its import, and the
	// objects are not remembered, so the next sweep tries again.
	good := gz(t, focusCSV("2026-11-20", "4", "0.25", "1"))
	put(t, c, "exports/focus/data/BILLING_PERIOD=2026-11/focus-00002.csv.gz", good[:len(good)-12])
	for range 2 {
		f.now = f.now.Add(2 * time.Hour)
		if n, err := s.Sweep(ctx); n != 0 || err == nil || !strings.Contains(err.Error(), "focus-00002.csv.gz") {
			t.Fatalf("a sweep over a truncated part: %d, %v", n, err)
		}
		if got := f.totals(t); !equal(got, want) {
			t.Fatalf("after a failed sync: imports %v, want %v", got, want)
		}
	}
	put(t, c, "exports/focus/data/BILLING_PERIOD=2026-11/focus-00002.csv.gz", good)
	f.now = f.now.Add(2 * time.Hour)
	if n, err := s.Sweep(ctx); n != 1 || err != nil {
		t.Fatalf("a sweep after the part was fixed: %d, %v", n, err)
	}
	want["2026-11"] = "5 9.25"
	if got := f.totals(t); !equal(got, want) {
		t.Fatalf("imports %v, want %v", got, want)
	}
	var audited int
	must(t, f.db.Database().QueryRow(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'billing.imports.sync'").Scan(&audited))
	if audited != 4 {
		t.Fatalf("%d billing.imports.sync audit entries, want 4 (one per month imported)", audited)
	}
}

func equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
