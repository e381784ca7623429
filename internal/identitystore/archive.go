package identitystore

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
)

// ArchiveResult reports what ArchiveAudit moved out of the database.
type ArchiveResult struct {
	Archived int          `json:"archived"`
	From     audit.Anchor `json:"from"` // the chain position the archive continues
	To       audit.Anchor `json:"to"`   // the new anchor of the remaining log
}

// ArchiveAudit implements the retention setting: entries older than before
// are written to w as JSON lines (in chain order, with their hashes, so the
// archive verifies on its own from From), and only then removed from the
// database, in one transaction that moves the anchor to the last archived
// entry, so the remaining log still verifies. It is the one path that
// removes audit rows, and it never drops an entry it has not written out.
// The chain's newest entry is never archived, so appends keep linking.
func (s *Store) ArchiveAudit(ctx context.Context, before time.Time, w io.Writer) (ArchiveResult, error) {
	return s.archiveAudit(ctx, before, func(int64, int64) (io.Writer, func() error, error) { return w, nil, nil })
}

// archiveOpener returns the destination of an archive once the sequence
// numbers of its first and last entries are known, and a function making
// it durable (close, sync its directory) that runs before rows are removed.
type archiveOpener func(first, last int64) (w io.Writer, durable func() error, err error)

func (s *Store) archiveAudit(ctx context.Context, before time.Time, open archiveOpener) (ArchiveResult, error) {
	var res ArchiveResult
	from, err := s.AuditAnchor(ctx)
	if err != nil {
		return res, err
	}
	res.From, res.To = from, from
	es, err := s.scanAudit(ctx, `SELECT `+auditCols+` FROM audit_log WHERE at < ? AND seq < (SELECT MAX(seq) FROM audit_log) ORDER BY seq`,
		database.TimeOf(before))
	if err != nil || len(es) == 0 {
		return res, err
	}
	if v := audit.Verify(es, from); v.Finding != nil {
		return res, fmt.Errorf("refusing to archive a broken chain: %w", v.Finding)
	}
	last := es[len(es)-1]
	w, durable, err := open(es[0].Seq, last.Seq)
	if err != nil {
		return res, err
	}
	if err := writeArchive(w, es, durable); err != nil {
		return res, err
	}
	res.Archived, res.To = len(es), audit.Anchor{Seq: last.Seq, Hash: last.Hash}
	err = s.inTx(ctx, func(tx *database.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM audit_anchor`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_anchor (id, seq, hash, archived_at) VALUES (1, ?, ?, ?)`,
			last.Seq, last.Hash, database.TimeOf(time.Now())); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM audit_log WHERE seq <= ?`, last.Seq)
		return err
	})
	return res, database.DomainError(err, nil)
}

// writeArchive writes es as JSON lines and syncs w (when it can be synced),
// then runs durable.
func writeArchive(w io.Writer, es []audit.Entry, durable func() error) error {
	enc := json.NewEncoder(w)
	for i := range es {
		if err := enc.Encode(&es[i]); err != nil {
			return fmt.Errorf("writing the archive: %w", err)
		}
	}
	if f, ok := w.(interface{ Sync() error }); ok {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("writing the archive: %w", err)
		}
	}
	if durable != nil {
		if err := durable(); err != nil {
			return fmt.Errorf("writing the archive: %w", err)
		}
	}
	return nil
}
