package billingstore_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/billing"
	"github.com/usecapsule/capsule/internal/billingstore"
	"github.com/usecapsule/capsule/internal/pgtest"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var dialects = []struct {
	name string
	dsn  func(t testing.TB) string
}{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "capsule.db") }},
	{"postgres", func(t testing.TB) string { return pgtest.StartFrom(t, "billingstore", migrated) }},
}

func migrated(url string) error {
	s, err := sqlstore.Open(context.Background(), url, sqlstore.Options{})
	if err != nil {
		return err
	}
	return s.Close()
}

// setup opens a store with one organization.
func setup(t *testing.T, dsn string) (*billingstore.Store, string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	u := &capsule.User{Email: "owner@example.com", Name: "Owner"}
	if err := db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	o := &capsule.Organization{Name: "acme", Slug: "acme"}
	if err := db.CreateOrganization(ctx, o, u.ID); err != nil {
		t.Fatal(err)
	}
	return billingstore.New(db), o.ID
}

func reader(t *testing.T, path string) *billing.Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	r, err := billing.NewReader(f, "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func code(err error) string { return capsule.ErrorCode(err) }

// TestImportReplacesPeriod imports a CUR month, reads it back as records,
// attributions and a reconciliation equal to the offline analysis, and
// imports the month again from another file: the period is replaced, not
// added to.
func TestImportReplacesPeriod(t *testing.T) {
	const cur = "../billing/testdata/cur2.csv"
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			s, org := setup(t, d.dsn(t))
			ctx := context.Background()
			a := &billingstore.Account{OrganizationID: org, Name: "aws-main", Provider: "aws"}
			if err := s.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateAccount(ctx, &billingstore.Account{OrganizationID: org, Name: "aws-main", Provider: "aws"}); code(err) != "BILLING_ACCOUNT_ALREADY_EXISTS" {
				t.Fatalf("duplicate: %v", err)
			}
			if err := s.CreateAccount(ctx, &billingstore.Account{OrganizationID: org, Name: "x", Provider: "oracle"}); code(err) != capsule.CodeValidation {
				t.Fatalf("bad provider: %v", err)
			}
			im, err := s.ReplaceImport(ctx, a, "2026-11", reader(t, cur))
			if err != nil {
				t.Fatal(err)
			}
			off, err := billing.Analyze(reader(t, cur), billing.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if im.Rows != 12 || im.BilledTotal.Cmp(off.BilledCostTotal) != 0 || im.EffectiveTotal.Cmp(off.EffectiveCostTotal) != 0 {
				t.Fatalf("import %+v", im)
			}
			recs, next, err := s.Records(ctx, billingstore.Filter{OrganizationID: org}, 5, "")
			if err != nil || len(recs) != 5 || next == "" {
				t.Fatalf("page 1: %d %q %v", len(recs), next, err)
			}
			all := recs
			for next != "" {
				recs, next, err = s.Records(ctx, billingstore.Filter{OrganizationID: org}, 5, next)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, recs...)
			}
			if len(all) != 12 || all[0].Line != 2 || all[11].Line != 13 {
				t.Fatalf("%d records", len(all))
			}
			att, err := s.Attributions(ctx, billingstore.Filter{OrganizationID: org})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, x := range att {
				got = append(got, x.Cluster+" "+x.Day+" "+x.EffectiveCost.String())
			}
			if strings.Join(got, "; ") != "lonely_one 2026-11-02 0.0001; prod 2026-11-01 2.40; prod-eu-1 2026-11-02 1.05" {
				t.Fatalf("attributions: %s", strings.Join(got, "; "))
			}
			rec, err := s.Reconcile(ctx, billingstore.Filter{OrganizationID: org, AccountID: a.ID})
			if err != nil {
				t.Fatal(err)
			}
			var eff billing.Amount
			for _, x := range rec {
				eff = eff.Add(x.Effective)
			}
			if eff.Cmp(off.EffectiveCostTotal) != 0 || rec[len(rec)-1].Cluster != billing.Unattributed {
				t.Fatalf("reconcile %+v", rec)
			}

			// The same period again, from a file with one row of it and
			// rows of another month: replaced, the others rejected.
			other := filepath.Join(t.TempDir(), "cur.csv")
			data := "line_item_line_item_type,line_item_usage_start_date,line_item_unblended_cost,resource_tags\n" +
				"Usage,2026-11-03T00:00:00Z,7.5,\"{\"\"aws_eks_cluster_name\"\":\"\"prod\"\"}\"\n" +
				"Usage,2026-10-31T23:00:00Z,1,{}\n"
			if err := os.WriteFile(other, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			im2, err := s.ReplaceImport(ctx, a, "2026-11", reader(t, other))
			if err != nil {
				t.Fatal(err)
			}
			if im2.Rows != 1 || im2.Rejected != 1 || im2.Errors[0].Message != "outside billing period 2026-11" {
				t.Fatalf("%+v", im2)
			}
			att, err = s.Attributions(ctx, billingstore.Filter{OrganizationID: org, From: "2026-11-01", To: "2026-11-30"})
			if err != nil || len(att) != 1 || att[0].EffectiveCost.String() != "7.50" {
				t.Fatalf("after replace: %+v %v", att, err)
			}
			if _, err := s.ReplaceImport(ctx, a, "2026-13", reader(t, other)); code(err) != capsule.CodeValidation {
				t.Fatalf("bad period: %v", err)
			}
			if _, err := s.FindAccount(ctx, "nope"); code(err) != "BILLING_ACCOUNT_NOT_FOUND" {
				t.Fatalf("%v", err)
			}
			if got, err := s.ListAccounts(ctx, org); err != nil || len(got) != 1 || got[0].ID != a.ID {
				t.Fatalf("%+v %v", got, err)
			}
		})
	}
}
