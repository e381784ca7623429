package server

import (
	"context"
	"fmt"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/billings3"
	"github.com/usecapsule/capsule/internal/billingstore"
	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/secretbox"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// Scheduled S3 billing imports: every BillingS3Interval (--billing-s3-interval,
// default 1h; 0 turns them off) each billing account with an S3 source is
// synced by one replica (a lease per account in the store). The S3 requests
// go through an egress client of their own: the same address policy
// (--egress-allow), but sized for monthly exports (GBs, minutes).

// DefaultBillingS3Interval is how often S3 sources are synced by default.
const DefaultBillingS3Interval = time.Hour

// billingExportBytes and billingExportTimeout bound one export object.
const (
	billingExportBytes   = 64 << 30
	billingExportTimeout = 2 * time.Hour
)

func (o *Options) validateBillingS3() error {
	if o.BillingS3Interval < 0 || (o.BillingS3Interval > 0 && o.BillingS3Interval < time.Minute) {
		return fmt.Errorf("--billing-s3-interval %s must be 0 (off) or at least 1m", o.BillingS3Interval)
	}
	return nil
}

// billingS3Scheduler returns the scheduler, nil when turned off or without
// a master key (the secret access keys cannot be opened).
func (o *Options) billingS3Scheduler(st *sqlstore.Store, ids *identitystore.Store, ring *secretbox.Keyring, owner string) *billings3.Scheduler {
	if o.BillingS3Interval == 0 || ring == nil {
		return nil
	}
	hc := egress.New(egress.Options{Allow: o.egressAllow(), MaxBodyBytes: billingExportBytes, Timeout: billingExportTimeout})
	return &billings3.Scheduler{Store: billingstore.New(st), HTTP: hc, Owner: owner, Interval: o.BillingS3Interval,
		Lease: billingExportTimeout,
		SecretKey: func(ctx context.Context, id string) (string, error) {
			sealed, v, err := ids.SecretVersion(ctx, id, 0)
			if err != nil {
				return "", err
			}
			plain, err := ring.Open(sealed, identity.SecretAAD(id, v))
			if err != nil {
				return "", fmt.Errorf("opening the S3 secret access key %s: %w", id, err)
			}
			return string(plain), nil
		},
		Audit: func(ctx context.Context, e audit.Entry) context.Context {
			c, _ := ids.WithAuditUnit(ctx, e)
			return c
		},
		Logf: o.Logger.Warn}
}
