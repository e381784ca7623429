package server

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/usecapsule/capsule/internal/identitystore"
)

// Audit retention: with --audit-retention the server
// archives audit entries older than the retention at start and then every
// AuditRetentionInterval, through the same code as `capsule audit archive`,
// into <data-dir>/audit-archive/audit-<first>-<last>.jsonl (0600, synced
// before the rows are removed). Nothing is dropped without being written out.
//
// Design decisions: the default is 0, keep everything
// (as Heroku and Argo CD keep history until told otherwise); the archive
// directory is under the data directory even with PostgreSQL, as the JWT key
// is; a failed run is logged and retried at the next tick rather than
// stopping the server; with several replicas on one PostgreSQL database
// each archives on its own host (run the setting on one replica).

// maxRetentionDays is the longest retention a time.Duration can hold.
const maxRetentionDays = int(math.MaxInt64 / int64(24*time.Hour))

// ParseRetention accepts whole days ("365d"), Go durations ("720h") and "0"
// (keep everything).
func ParseRetention(s string) (time.Duration, error) {
	if s == "" || s == "0" {
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("audit retention %q: want a number of days like 365d", s)
		}
		// A duration holds about 292 years; more days would wrap around
		// to a negative retention that archives everything.
		if n > maxRetentionDays {
			return 0, fmt.Errorf("audit retention %q: at most %dd", s, maxRetentionDays)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("audit retention %q: want a duration like 365d or 720h, or 0 to keep everything", s)
	}
	return d, nil
}

// completeRetention reads $CAPSULE_AUDIT_RETENTION when the option is unset.
func (o *Options) completeRetention() {
	if o.AuditRetention == 0 {
		if v := o.Getenv("CAPSULE_AUDIT_RETENTION"); v != "" {
			d, err := ParseRetention(v)
			if err != nil {
				o.envErr = fmt.Errorf("$CAPSULE_AUDIT_RETENTION: %w", err)
			}
			o.AuditRetention = d
		}
	}
	if o.AuditRetentionInterval == 0 {
		o.AuditRetentionInterval = DefaultAuditRetentionInterval
	}
}

func (o *Options) validateRetention() error {
	if o.envErr != nil {
		return o.envErr
	}
	if o.AuditRetention < 0 {
		return fmt.Errorf("--audit-retention %s must not be negative", o.AuditRetention)
	}
	if o.AuditRetentionInterval < 0 {
		return fmt.Errorf("audit retention interval %s must not be negative", o.AuditRetentionInterval)
	}
	return nil
}

// retain runs audit retention until ctx ends: once now, then every interval.
func (o *Options) retain(ctx context.Context, ids *identitystore.Store) {
	if o.AuditRetention == 0 {
		return
	}
	t := time.NewTicker(o.AuditRetentionInterval)
	defer t.Stop()
	for {
		o.archiveOnce(ctx, ids)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// archiveOnce archives what is older than the retention and logs it.
func (o *Options) archiveOnce(ctx context.Context, ids *identitystore.Store) {
	dir := filepath.Join(o.DataDir, identitystore.ArchiveDirName)
	// A run that has started finishes even when the server is stopping
	// (Run waits for it before closing the store): cancelled between writing
	// the file and removing the rows, it would leave both behind.
	res, path, err := ids.ArchiveAuditToDir(context.WithoutCancel(ctx), time.Now().Add(-o.AuditRetention), dir)
	switch {
	case err != nil:
		o.Logger.Error("audit retention failed; retrying at the next run", "error", err.Error(), "retention", o.AuditRetention.String())
	case res.Archived > 0:
		o.Logger.Info("archived audit entries", "entries", res.Archived, "file", path,
			"firstSeq", res.From.Seq+1, "lastSeq", res.To.Seq, "anchor", res.To.Hash, "retention", o.AuditRetention.String())
	}
}
