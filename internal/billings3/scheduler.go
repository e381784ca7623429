package billings3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/billingstore"
	"github.com/usecapsule/capsule/internal/jobs"
)

// Scheduler syncs every account with an S3 source once per Interval, each
// under the account's lease in the store, so with several replicas each
// account is synced by one of them per interval.
type Scheduler struct {
	Store *billingstore.Store
	// HTTP is the guarded egress client; its transport makes the S3
	// requests (sized for exports: a large body limit and timeout).
	HTTP *http.Client
	// SecretKey opens the sealed secret access key of a source.
	SecretKey func(ctx context.Context, secretID string) (string, error)
	// Audit returns ctx carrying an audit unit with e, which commits with
	// the import's transaction (nil: no audit).
	Audit    func(ctx context.Context, e audit.Entry) context.Context
	Owner    string
	Interval time.Duration
	// Lease bounds one account's sync (default: the interval).
	Lease time.Duration
	Logf  func(msg string, args ...any)
	Now   func() time.Time
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Run syncs at once and then every Interval until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(s.Interval)
	defer t.Stop()
	for {
		if _, err := s.Sweep(ctx); err != nil && ctx.Err() == nil && s.Logf != nil {
			s.Logf("billing s3: sync failed; retrying at the next tick", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep syncs every account that is due and not being synced by another
// replica; it returns the months imported.
func (s *Scheduler) Sweep(ctx context.Context) (int, error) {
	accts, err := s.Store.SourceAccounts(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for i := range accts {
		done, err := s.syncOne(ctx, &accts[i])
		n += done
		if err != nil {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

func (s *Scheduler) syncOne(ctx context.Context, acct *billingstore.Account) (int, error) {
	lease := s.Lease
	if lease <= 0 {
		lease = s.Interval
	}
	// A tenth of the interval of slack, so a sync that ended a moment after
	// its tick does not make the next tick skip the account.
	token, err := s.Store.ClaimSync(ctx, acct.ID, s.Owner, s.now(), s.Interval-s.Interval/10, lease)
	if err != nil || token == 0 {
		return 0, err
	}
	lctx, cancel := context.WithTimeout(ctx, lease)
	defer cancel()
	key, err := s.SecretKey(lctx, acct.SourceSecretID)
	var months []string
	if err == nil {
		months, err = SyncAccount(lctx, s.Store, s.HTTP, acct, key, func(ctx context.Context, period string) context.Context {
			if s.Audit == nil {
				return ctx
			}
			return s.Audit(ctx, audit.Entry{Time: s.now(), ActorType: audit.ActorSystem, Action: "billing.imports.sync",
				TargetType: "billing account", TargetID: acct.ID, OrganizationID: acct.OrganizationID, Outcome: audit.OutcomeSuccess,
				After: map[string]string{"period": period, "bucket": acct.Source.S3.Bucket, "prefix": acct.Source.S3.Prefix}})
		})
	}
	if eerr := s.Store.EndSync(ctx, acct.ID, token, err == nil, s.now()); eerr != nil && !errors.Is(eerr, jobs.ErrLeaseLost) {
		err = errors.Join(err, eerr)
	}
	if err != nil {
		return len(months), fmt.Errorf("billing account %s: %w", acct.ID, err)
	}
	return len(months), nil
}
