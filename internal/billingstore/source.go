package billingstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/jobs"
)

// ExportSource is where an account's exports are fetched from on a schedule.
type ExportSource struct {
	S3 *S3Source `json:"s3,omitempty"`
}

// S3Source is an S3-compatible bucket and prefix the cloud exports into
// (AWS Data Exports, a legacy CUR, an Azure export copied to S3). The
// secret access key is not part of it: it is a sealed secret.
type S3Source struct {
	Endpoint    string `json:"endpoint"` // https://s3.eu-west-1.amazonaws.com, or another S3-compatible server
	Region      string `json:"region,omitempty"`
	Bucket      string `json:"bucket"`
	Prefix      string `json:"prefix,omitempty"`
	AccessKeyID string `json:"access_key_id"`
}

// Validate names the first bad field of the source.
func (s *ExportSource) Validate() error {
	if s == nil {
		return nil
	}
	if s.S3 == nil {
		return invalidField("source", "names no source (s3)")
	}
	u, err := url.Parse(s.S3.Endpoint)
	switch {
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.User != nil:
		return invalidField("source.s3.endpoint", "must be an http(s) URL of a host, without path or credentials")
	case s.S3.Bucket == "" || len(s.S3.Bucket) > 63 || strings.ContainsAny(s.S3.Bucket, "/ "):
		return invalidField("source.s3.bucket", "required, at most 63 characters, no / or spaces")
	case s.S3.AccessKeyID == "" || len(s.S3.AccessKeyID) > 128 || !database.ValidText(s.S3.AccessKeyID):
		return invalidField("source.s3.access_key_id", "required, at most 128 characters")
	case len(s.S3.Prefix) > 1024 || !database.ValidText(s.S3.Prefix) || !database.ValidText(s.S3.Region):
		return invalidField("source.s3.prefix", "at most 1024 characters of text")
	}
	return nil
}

func (s *ExportSource) text() string {
	if s == nil {
		return ""
	}
	data, _ := json.Marshal(s)
	return string(data)
}

// Object is one export object of a period as imported: its key and ETag.
type Object struct {
	Key, ETag string
}

// rememberObjects replaces the objects remembered for the account's period.
func rememberObjects(ctx context.Context, tx *database.Tx, accountID, period string, objects []Object) error {
	if _, err := tx.Exec(ctx, "DELETE FROM billing_s3_objects WHERE account_id = ? AND period = ?", accountID, period); err != nil {
		return err
	}
	for _, o := range objects {
		if _, err := tx.Exec(ctx, "INSERT INTO billing_s3_objects (account_id, object_key, period, etag) VALUES (?, ?, ?, ?)",
			accountID, clean(o.Key), period, clean(o.ETag)); err != nil {
			return err
		}
	}
	return nil
}

// ImportedObjects are the account's remembered objects by period.
func (s *Store) ImportedObjects(ctx context.Context, accountID string) (map[string][]Object, error) {
	rows, err := s.db.Query(ctx, "SELECT period, object_key, etag FROM billing_s3_objects WHERE account_id = ? ORDER BY period, object_key", accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]Object{}
	for rows.Next() {
		var p string
		var o Object
		if err := rows.Scan(&p, &o.Key, &o.ETag); err != nil {
			return nil, err
		}
		out[p] = append(out[p], o)
	}
	return out, rows.Err()
}

// SourceAccounts are every account with a source, of all organizations.
func (s *Store) SourceAccounts(ctx context.Context) ([]Account, error) {
	rows, err := s.db.Query(ctx, "SELECT "+accountColumns+" FROM billing_accounts WHERE source <> '' ORDER BY id")
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

// ClaimSync takes the account's sync lease for owner until now+lease when
// nobody holds it and the last sync is at least every old; it returns the
// lease's token, or 0 (without error) when another replica syncs it or it
// is not due.
func (s *Store) ClaimSync(ctx context.Context, accountID, owner string, now time.Time, every, lease time.Duration) (int64, error) {
	var token int64
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO billing_s3_sync (account_id) VALUES (?) ON CONFLICT (account_id) DO NOTHING", accountID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, "UPDATE billing_s3_sync SET lease_owner = ?, lease_until = ?, token = token + 1 "+
			"WHERE account_id = ? AND (lease_until IS NULL OR lease_until < ?) AND (synced_at IS NULL OR synced_at <= ?) RETURNING token",
			owner, database.TimeOf(now.Add(lease)), accountID, database.TimeOf(now), database.TimeOf(now.Add(-every))).Scan(&token)
		if errors.Is(err, sql.ErrNoRows) {
			token = 0
			return nil
		}
		return err
	})
	return token, database.DomainError(err, nil)
}

// EndSync ends the lease token names; synced records the sync as done at
// now (the next is due an interval later), else the next tick tries again.
// jobs.ErrLeaseLost when another replica took the lease over.
func (s *Store) EndSync(ctx context.Context, accountID string, token int64, synced bool, now time.Time) error {
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		q, args := "UPDATE billing_s3_sync SET lease_owner = '', lease_until = NULL WHERE account_id = ? AND token = ?", []any{accountID, token}
		if synced {
			q, args = "UPDATE billing_s3_sync SET lease_owner = '', lease_until = NULL, synced_at = ? WHERE account_id = ? AND token = ?",
				[]any{database.TimeOf(now), accountID, token}
		}
		res, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return jobs.ErrLeaseLost
		}
		return nil
	})
	if errors.Is(err, jobs.ErrLeaseLost) {
		return err
	}
	return database.DomainError(err, capsule.NotFound("billing account", accountID))
}
