// Package billingstore keeps imported cloud billing data in the control
// plane's database (SQLite or PostgreSQL, tables of migration 0240 of
// internal/sqlstore): billing accounts, one import per account and billing
// period, and the import's rows as FOCUS records.
//
// Design decisions:
//   - Importing a period again replaces it: the old import and its records
//     are deleted and the new ones inserted in one transaction (database.InTx,
//     so the audit unit the API's guard put in the context commits with it).
//     A reader sees the old period or the new one, never a mix.
//   - A row whose charge period starts outside the import's period is a bad
//     row of the import ("outside billing period 2026-11"), like an
//     unreadable one: a file of another month cannot overwrite this one.
//   - Money is exact decimal text; sums are made in Go with billing.Amount
//     while the rows stream out of the database.
package billingstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/billing"
	"github.com/usecapsule/capsule/internal/database"
)

// Store is the billing data of one database.
type Store struct {
	db *database.DB
}

// Source is what the store needs from internal/sqlstore.
type Source interface {
	Database() *database.DB
}

// New returns the store sharing src's database.
func New(src Source) *Store { return &Store{db: src.Database()} }

// Providers are the clouds an account may bill from.
var Providers = []string{"aws", "gcp", "azure", "other"}

// An Account is one billing source of an organization.
type Account struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organizationId"`
	Name           string `json:"name"`
	Provider       string `json:"provider"`
	// Format is the file format of its imports (focus, aws-cur, gcp,
	// azure); empty to detect each file's from its header.
	Format string `json:"format,omitempty"`
	// Source, when set, is where the scheduler fetches the account's
	// exports from; its secret is the sealed secret SourceSecretID.
	Source         *ExportSource `json:"source,omitempty"`
	SourceSecretID string        `json:"-"`
	CreatedAt      time.Time     `json:"createdAt"`
}

// An Import is one billing period of an account.
type Import struct {
	ID             string             `json:"id"`
	AccountID      string             `json:"accountId"`
	OrganizationID string             `json:"organizationId"`
	Period         string             `json:"period"`
	Format         string             `json:"format"`
	Rows           int                `json:"rows"`
	Rejected       int                `json:"rowsRejected"`
	BilledTotal    billing.Amount     `json:"billedCostTotal"`
	EffectiveTotal billing.Amount     `json:"effectiveCostTotal"`
	Currency       string             `json:"currency,omitempty"`
	Errors         []billing.RowError `json:"errors"`
	CreatedAt      time.Time          `json:"createdAt"`
}

// validPeriod reports whether period is a billing month, YYYY-MM.
func validPeriod(period string) bool {
	if len(period) != 7 || period[4] != '-' {
		return false
	}
	for i, c := range []byte(period) {
		if i != 4 && (c < '0' || c > '9') {
			return false
		}
	}
	return period[5:] >= "01" && period[5:] <= "12"
}

// invalidField is the validation error of one field.
func invalidField(field, msg string) error {
	var v capsule.Validation
	v.Add(field, "%s", msg)
	return v.Err()
}

// CreateAccount stores a with a new ID.
func (s *Store) CreateAccount(ctx context.Context, a *Account) error {
	a.Name = strings.TrimSpace(a.Name)
	switch {
	case a.Name == "" || len(a.Name) > 100 || !database.ValidText(a.Name):
		return invalidField("name", "required, at most 100 characters")
	case !contains(Providers, a.Provider):
		return invalidField("provider", "must be one of "+strings.Join(Providers, ", "))
	case a.Format != "" && !contains(billing.FormatNames(), a.Format):
		return invalidField("format", "must be one of "+strings.Join(billing.FormatNames(), ", "))
	}
	if err := a.Source.Validate(); err != nil {
		return err
	}
	org, ok := database.CanonicalID(a.OrganizationID)
	if !ok {
		return capsule.NotFound("organization", a.OrganizationID)
	}
	a.OrganizationID, a.ID, a.CreatedAt = org, database.NewID(), database.Now()
	database.NoteTarget(ctx, a.ID)
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO billing_accounts (id, organization_id, name, provider, format, source, source_secret_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.OrganizationID, a.Name, a.Provider, a.Format, a.Source.text(), a.SourceSecretID,
			database.TimeOf(a.CreatedAt))
		return err
	})
	switch {
	case database.IsUniqueViolation(err):
		return capsule.AlreadyExists("billing account", "name", a.Name)
	case database.IsForeignKeyViolation(err):
		return capsule.NotFound("organization", a.OrganizationID)
	}
	return database.DomainError(err, nil)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

const accountColumns = "id, organization_id, name, provider, format, source, source_secret_id, created_at"

type scanner interface{ Scan(dest ...any) error }

func scanAccount(r scanner) (*Account, error) {
	var a Account
	var created database.Time
	var source string
	if err := r.Scan(&a.ID, &a.OrganizationID, &a.Name, &a.Provider, &a.Format, &source, &a.SourceSecretID, &created); err != nil {
		return nil, err
	}
	if source != "" {
		if err := json.Unmarshal([]byte(source), &a.Source); err != nil {
			return nil, fmt.Errorf("billing account %s: stored source: %w", a.ID, err)
		}
	}
	a.CreatedAt = created.Time
	return &a, nil
}

// FindAccount returns the account with id.
func (s *Store) FindAccount(ctx context.Context, id string) (*Account, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("billing account", id)
	}
	a, err := scanAccount(s.db.QueryRow(ctx, "SELECT "+accountColumns+" FROM billing_accounts WHERE id = ?", cid))
	return a, database.DomainError(err, capsule.NotFound("billing account", id))
}

// ListAccounts returns the organization's accounts by name.
func (s *Store) ListAccounts(ctx context.Context, orgID string) ([]Account, error) {
	org, ok := database.CanonicalID(orgID)
	if !ok {
		return []Account{}, nil
	}
	rows, err := s.db.Query(ctx, "SELECT "+accountColumns+" FROM billing_accounts WHERE organization_id = ? ORDER BY name", org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Account{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// RecordReader is a stream of billing records: a *billing.Reader, or the
// parts of one month's export read one after the other.
type RecordReader interface {
	Next() (billing.Record, error)
	Format() string
}

// ReplaceImport reads every record of r into the account's billing period,
// replacing an earlier import of that period, in one transaction.
func (s *Store) ReplaceImport(ctx context.Context, acct *Account, period string, r RecordReader) (*Import, error) {
	return s.ReplaceImportObjects(ctx, acct, period, r, nil)
}

// ReplaceImportObjects is ReplaceImport that also remembers, in the same
// transaction, the source objects the period was read from (replacing the
// ones remembered for it): a sync that fails anywhere leaves both the
// month and what is known to be imported as they were. nil objects leaves
// them untouched (an upload does not say what the bucket holds).
func (s *Store) ReplaceImportObjects(ctx context.Context, acct *Account, period string, r RecordReader, objects []Object) (*Import, error) {
	if !validPeriod(period) {
		return nil, invalidField("period", fmt.Sprintf("%q is not a billing month (YYYY-MM)", period))
	}
	im := &Import{ID: database.NewID(), AccountID: acct.ID, OrganizationID: acct.OrganizationID, Period: period,
		Format: r.Format(), CreatedAt: database.Now(), Errors: []billing.RowError{}}
	database.NoteTarget(ctx, im.ID)
	attempts := 0
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		// A transaction that lost a race is run again, but r is a stream
		// (an upload being received): a second run would import only what
		// the first left unread. It fails instead, without a retryable
		// error, and the client sends the file again.
		if attempts++; attempts > 1 {
			return capsule.Errorf(capsule.KindConflict, capsule.CodeConflict,
				"the import of %s lost a race with another write and the file cannot be read twice; send it again", period)
		}
		*im = Import{ID: im.ID, AccountID: im.AccountID, OrganizationID: im.OrganizationID, Period: period,
			Format: im.Format, CreatedAt: im.CreatedAt, Errors: []billing.RowError{}}
		if _, err := tx.Exec(ctx, "DELETE FROM billing_imports WHERE account_id = ? AND period = ?", acct.ID, period); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO billing_imports (id, account_id, organization_id, period, format, row_count, rejected,
			billed_total, effective_total, created_at) VALUES (?, ?, ?, ?, ?, 0, 0, '0', '0', ?)`,
			im.ID, im.AccountID, im.OrganizationID, period, im.Format, database.TimeOf(im.CreatedAt)); err != nil {
			return err
		}
		if err := s.insertRecords(ctx, tx, im, r); err != nil {
			return err
		}
		if objects != nil {
			if err := rememberObjects(ctx, tx, acct.ID, period, objects); err != nil {
				return err
			}
		}
		errs, _ := json.Marshal(im.Errors)
		_, err := tx.Exec(ctx, `UPDATE billing_imports SET row_count = ?, rejected = ?, billed_total = ?, effective_total = ?,
			currency = ?, errors = ? WHERE id = ?`, im.Rows, im.Rejected, im.BilledTotal.String(), im.EffectiveTotal.String(),
			im.Currency, string(errs), im.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return im, nil
}

func (s *Store) insertRecords(ctx context.Context, tx *database.Tx, im *Import, r RecordReader) error {
	reject := func(e billing.RowError) {
		im.Rejected++
		if len(im.Errors) < billing.DefaultMaxErrors {
			im.Errors = append(im.Errors, e)
		}
	}
	sanitized, real := map[string]bool{}, map[string]bool{}
	b := &recordBatch{args: make([]any, 0, batchRows*insertColumns)}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			if err := b.flush(ctx, tx); err != nil {
				return err
			}
			return mergeSanitized(ctx, tx, im.ID, sanitized, real)
		}
		var re *billing.RowError
		if errors.As(err, &re) {
			reject(*re)
			continue
		}
		if err != nil {
			return capsule.Errorf(capsule.KindInvalid, capsule.CodeValidation, "billing file: %v", err)
		}
		if p := rec.ChargePeriodStart.Format("2006-01"); p != im.Period {
			reject(billing.RowError{Line: rec.Line, Column: "ChargePeriodStart", Message: "outside billing period " + im.Period})
			continue
		}
		b.add(im, rec)
		if b.rows == batchRows {
			if err := b.flush(ctx, tx); err != nil {
				return err
			}
		}
		im.Rows++
		if rec.Cluster != "" {
			if rec.ClusterSanitized() {
				sanitized[rec.Cluster] = true
			} else {
				real[rec.Cluster] = true
			}
		}
		im.BilledTotal = im.BilledTotal.Add(rec.BilledCost)
		im.EffectiveTotal = im.EffectiveTotal.Add(rec.EffectiveCost)
		if im.Currency == "" {
			im.Currency = rec.BillingCurrency
		}
	}
}

// mergeSanitized renames the clusters known only by a sanitized tag key to
// the name the same file spells in full, as the offline analysis does.
func mergeSanitized(ctx context.Context, tx *database.Tx, importID string, sanitized, real map[string]bool) error {
	for from, to := range billing.SanitizedMerges(sanitized, real) {
		if _, err := tx.Exec(ctx, "UPDATE billing_records SET cluster = ? WHERE import_id = ? AND cluster = ?", to, importID, from); err != nil {
			return err
		}
	}
	return nil
}

// clean drops what the database refuses in text (NUL, invalid UTF-8)
// rather than failing the whole import on one odd cell.
func clean(s string) string {
	if database.ValidText(s) {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}
