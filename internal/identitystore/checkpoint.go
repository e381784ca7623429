package identitystore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
)

// SetCheckpointSigner gives the store the key that signs and checks audit
// checkpoints; without one, VerifyAudit checks the chain alone.
func (s *Store) SetCheckpointSigner(sig *audit.Signer) { s.signer = sig }

// CheckpointSigner returns the key set by SetCheckpointSigner, or nil.
func (s *Store) CheckpointSigner() *audit.Signer { return s.signer }

// WriteCheckpoint signs the chain's current head and stores it, unless
// the newest checkpoint already anchors that entry; it returns the newest
// checkpoint either way (zero Seq while the log is empty).
func (s *Store) WriteCheckpoint(ctx context.Context, at audit.Checkpoint) (audit.Checkpoint, error) {
	if s.signer == nil {
		return audit.Checkpoint{}, errors.New("identitystore: no checkpoint signer")
	}
	var out audit.Checkpoint
	err := s.inTx(database.WithoutTxHook(ctx), func(tx *database.Tx) error {
		head, err := auditHead(ctx, tx)
		if err != nil || head.Seq == 0 {
			return err
		}
		cp := s.signer.Sign(audit.Checkpoint{Seq: head.Seq, Hash: head.Hash, Time: at.Time})
		_, err = tx.Exec(ctx, `INSERT INTO audit_checkpoints (seq, hash, at, signature) VALUES (?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING`,
			cp.Seq, cp.Hash, database.TimeOf(cp.Time), cp.Signature)
		out = cp
		return err
	})
	if err != nil {
		return audit.Checkpoint{}, database.DomainError(err, nil)
	}
	if out.Seq == 0 {
		return out, nil
	}
	latest, ok, err := s.LatestCheckpoint(ctx)
	if err != nil || !ok {
		return out, err
	}
	return latest, nil
}

// Checkpoints returns the stored checkpoints, newest first, at most limit.
func (s *Store) Checkpoints(ctx context.Context, limit int) ([]audit.Checkpoint, error) {
	rows, err := s.query(ctx, `SELECT seq, hash, at, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT ?`, limit)
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	defer rows.Close()
	out := []audit.Checkpoint{}
	for rows.Next() {
		var c audit.Checkpoint
		var at database.Time
		if err := rows.Scan(&c.Seq, &c.Hash, &at, &c.Signature); err != nil {
			return nil, database.DomainError(err, nil)
		}
		c.Time = at.Time
		out = append(out, c)
	}
	return out, database.DomainError(rows.Err(), nil)
}

// LatestCheckpoint returns the newest stored checkpoint.
func (s *Store) LatestCheckpoint(ctx context.Context) (audit.Checkpoint, bool, error) {
	cs, err := s.Checkpoints(ctx, 1)
	if err != nil || len(cs) == 0 {
		return audit.Checkpoint{}, false, err
	}
	return cs[0], true, nil
}

// checkCheckpoint compares a verified chain with the stored checkpoints
// after its start (older ones anchor archived entries): the first one
// carrying a valid signature whose entry is missing or has another hash is
// reported; so is a newest checkpoint with a forged signature. Checking
// every checkpoint, not only the newest, catches a tail deleted and then
// regrown by new appends (a later checkpoint then agrees with the chain).
func (s *Store) checkCheckpoint(ctx context.Context, r audit.Result, start audit.Anchor) (*audit.Finding, error) {
	if s.signer == nil {
		return nil, nil
	}
	cp, ok, err := s.LatestCheckpoint(ctx)
	if err != nil || !ok {
		return nil, err
	}
	if err := s.signer.Check(cp); err != nil {
		return &audit.Finding{Seq: cp.Seq, Problem: audit.Altered, Detail: err.Error()}, nil
	}
	rows, err := s.query(ctx, `SELECT c.seq, c.hash, c.at, c.signature, COALESCE(a.hash, '') FROM audit_checkpoints c
		LEFT JOIN audit_log a ON a.seq = c.seq
		WHERE c.seq > ? AND (a.hash IS NULL OR a.hash <> c.hash) ORDER BY c.seq LIMIT 100`, start.Seq)
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	defer rows.Close()
	for rows.Next() {
		var c audit.Checkpoint
		var at database.Time
		var stored string
		if err := rows.Scan(&c.Seq, &c.Hash, &at, &c.Signature, &stored); err != nil {
			return nil, database.DomainError(err, nil)
		}
		c.Time = at.Time
		if s.signer.Check(c) != nil {
			continue // not ours: it proves nothing
		}
		return audit.CheckAgainst(r, c, func(int64) (string, bool) { return stored, stored != "" }), nil
	}
	return nil, database.DomainError(rows.Err(), nil)
}

// VerifyAuditOrg verifies an organization's entries through the one chain
// of the installation: the whole chain (and its checkpoints) is walked, as
// an organization's entry links to whichever entry preceded it; Checked
// counts the organization's entries up to the first break, and Head is the
// organization's last verified entry. A break in another organization's
// entry is reported by sequence number and problem only, without its
// detail, so an organization learns that the log is broken, not what
// another tenant did.
func (s *Store) VerifyAuditOrg(ctx context.Context, orgID string) (audit.Result, error) {
	r, err := s.VerifyAudit(ctx)
	if err != nil {
		return r, err
	}
	out := audit.Result{Finding: r.Finding}
	if !database.IsID(orgID) {
		return out, nil
	}
	err = s.queryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM audit_log WHERE organization_id = ? AND seq <= ?`,
		orgID, r.Head.Seq).Scan(&out.Checked, &out.Head.Seq)
	if err != nil {
		return out, database.DomainError(err, nil)
	}
	if out.Head.Seq > 0 {
		if err := s.queryRow(ctx, `SELECT hash FROM audit_log WHERE seq = ?`, out.Head.Seq).Scan(&out.Head.Hash); err != nil {
			return out, database.DomainError(err, nil)
		}
	}
	if f := r.Finding; f != nil && f.Problem != audit.Truncated && f.Problem != audit.Removed {
		var owner string
		err := s.queryRow(ctx, `SELECT organization_id FROM audit_log WHERE seq = ?`, f.Seq).Scan(&owner)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return out, database.DomainError(err, nil)
		}
		if owner != orgID {
			out.Finding = &audit.Finding{Seq: f.Seq, Problem: f.Problem,
				Detail: "the break is in an entry outside this organization; an installation admin can verify the whole chain"}
		}
	}
	return out, nil
}
