package identitystore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"github.com/usecapsule/capsule/internal/identity"
	"strconv"
	"strings"
	"sync"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
)

// auditLockID serialises appends on PostgreSQL (transaction-scoped advisory lock).
const auditLockID = 0x6175646974 // "audit"

const auditCols = `seq, at, actor_type, actor_id, action, target_type, target_id, organization_id, request_id, ip, user_agent, outcome, before_summary, after_summary, prev_hash, hash`

// AppendAudit seals e after the last entry of the chain and inserts it,
// returning once it is committed. It is the only write to audit_log besides
// retention's archive: there is no update path. Concurrent appends are
// group-committed: whoever finds no flush in progress writes every pending
// entry in one transaction, so a busy server pays one commit for many
// entries instead of one each.
func (s *Store) AppendAudit(ctx context.Context, e *audit.Entry) error {
	if e.Time.IsZero() {
		e.Time = database.Now()
	}
	storable(e)
	req := &appendReq{e: e, done: make(chan error, 1)}
	q := s.audit
	q.mu.Lock()
	q.pending = append(q.pending, req)
	if q.flushing {
		q.mu.Unlock()
		return <-req.done
	}
	q.flushing = true
	for {
		batch := q.pending[:min(len(q.pending), maxAuditBatch)]
		q.pending = q.pending[len(batch):]
		q.mu.Unlock()
		// The batch carries other requests' entries: one caller going away
		// must not cancel them.
		err := s.appendBatch(context.WithoutCancel(ctx), batch)
		for _, r := range batch {
			r.done <- err
		}
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.flushing = false
			q.mu.Unlock()
			return <-req.done
		}
	}
}

// maxAuditBatch bounds one group commit.
const maxAuditBatch = 256

type appendReq struct {
	e    *audit.Entry
	done chan error
}

// auditQueue holds appends waiting for the flush in progress.
type auditQueue struct {
	mu       sync.Mutex
	pending  []*appendReq
	flushing bool
}

func (s *Store) appendBatch(ctx context.Context, batch []*appendReq) error {
	// The audit entry's own transaction is not a change to audit again.
	ctx = database.WithoutTxHook(ctx)
	return database.DomainError(s.inTx(ctx, func(tx *database.Tx) error {
		for _, r := range batch {
			if err := s.appendInTx(ctx, tx, r.e); err != nil {
				return err
			}
		}
		return nil
	}), nil)
}

// appendInTx seals e after the chain's head as seen inside tx and inserts
// it. The head is read under the chain's lock, so concurrent transactions
// appending entries (group-committed ones, and those committing a change
// with its entry) are serialised: on SQLite by its single writer, on
// PostgreSQL by a transaction-scoped advisory lock, taken last in the
// transaction so it is held only until the commit.
func (s *Store) appendInTx(ctx context.Context, tx *database.Tx, e *audit.Entry) error {
	if s.dialect == database.Postgres {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, auditLockID); err != nil {
			return err
		}
	}
	head, err := auditHead(ctx, tx)
	if err != nil {
		return err
	}
	const insert = (`INSERT INTO audit_log (` + auditCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	audit.Seal(e, head.Seq, head.Hash)
	before, _ := json.Marshal(nonNil(e.Before))
	after, _ := json.Marshal(nonNil(e.After))
	_, err = tx.Exec(ctx, insert, e.Seq, database.TimeOf(e.Time), e.ActorType, e.ActorID, e.Action, e.TargetType,
		e.TargetID, e.OrganizationID, e.RequestID, e.IP, e.UserAgent, e.Outcome, string(before), string(after), e.PrevHash, e.Hash)
	if err != nil {
		return err
	}
	return s.appended(ctx, tx, *e)
}

// storable makes every text of e storable in both dialects before it is
// sealed: a NUL or invalid UTF-8 (from a header or a path) would otherwise
// fail the whole group-committed batch, or be stored differently from what
// was hashed.
func storable(e *audit.Entry) {
	for _, f := range []*string{&e.ActorType, &e.ActorID, &e.Action, &e.TargetType, &e.TargetID,
		&e.OrganizationID, &e.RequestID, &e.IP, &e.UserAgent, &e.Outcome} {
		*f = storableText(*f)
	}
	for _, m := range []map[string]string{e.Before, e.After} {
		for k, v := range m {
			if sk, sv := storableText(k), storableText(v); sk != k || sv != v {
				delete(m, k)
				m[sk] = sv
			}
		}
	}
}

func storableText(s string) string {
	if database.ValidText(s) {
		return s
	}
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// auditHead returns the last entry's position, or the archive anchor when
// the table is empty, or the genesis anchor.
func auditHead(ctx context.Context, tx *database.Tx) (audit.Anchor, error) {
	var a audit.Anchor
	err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&a.Seq, &a.Hash)
	if err == nil {
		return a, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return a, err
	}
	return anchor(ctx, tx)
}

type rowQuerier interface {
	QueryRow(ctx context.Context, q string, args ...any) *database.Row
}

func anchor(ctx context.Context, q rowQuerier) (audit.Anchor, error) {
	var a audit.Anchor
	err := q.QueryRow(ctx, `SELECT seq, hash FROM audit_anchor WHERE id = 1`).Scan(&a.Seq, &a.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Genesis, nil
	}
	return a, err
}

// AuditAnchor returns where the stored chain starts (genesis unless older
// entries were archived).
func (s *Store) AuditAnchor(ctx context.Context) (audit.Anchor, error) {
	a, err := anchor(ctx, s.db)
	return a, database.DomainError(err, nil)
}

// AuditFilter selects audit entries (identity.AuditFilter).
type AuditFilter = identity.AuditFilter

// ListAudit returns matching entries in chain order.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]audit.Entry, error) {
	var where []string
	var args []any
	eq := func(col, v string) {
		if v != "" {
			where = append(where, col+" = ?")
			args = append(args, v)
		}
	}
	eq("organization_id", f.OrganizationID)
	eq("actor_id", f.ActorID)
	eq("target_id", f.TargetID)
	eq("target_type", f.TargetType)
	eq("outcome", f.Outcome)
	if p, ok := strings.CutSuffix(f.Action, "*"); ok {
		// A prefix match without LIKE, so % and _ in the filter are literal.
		where = append(where, "substr(action, 1, ?) = ?")
		args = append(args, len(p), p)
	} else {
		eq("action", f.Action)
	}
	if !f.From.IsZero() {
		where = append(where, "at >= ?")
		args = append(args, database.TimeOf(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "at < ?")
		args = append(args, database.TimeOf(f.To))
	}
	if f.AfterSeq > 0 {
		where = append(where, "seq > ?")
		args = append(args, f.AfterSeq)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	q := `SELECT ` + auditCols + ` FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY seq LIMIT ` + strconv.Itoa(limit)
	return s.scanAudit(ctx, q, args...)
}

func (s *Store) scanAudit(ctx context.Context, q string, args ...any) ([]audit.Entry, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	defer rows.Close()
	out := []audit.Entry{}
	for rows.Next() {
		var e audit.Entry
		var at database.Time
		var before, after string
		if err := rows.Scan(&e.Seq, &at, &e.ActorType, &e.ActorID, &e.Action, &e.TargetType, &e.TargetID,
			&e.OrganizationID, &e.RequestID, &e.IP, &e.UserAgent, &e.Outcome, &before, &after, &e.PrevHash, &e.Hash); err != nil {
			return nil, database.DomainError(err, nil)
		}
		e.Time = at.Time
		// A summary that no longer parses was tampered with; keep it visible
		// to the verifier as a field it cannot match.
		if json.Unmarshal([]byte(before), &e.Before) != nil {
			e.Before = map[string]string{"<unparsable>": before}
		}
		if json.Unmarshal([]byte(after), &e.After) != nil {
			e.After = map[string]string{"<unparsable>": after}
		}
		if len(e.Before) == 0 {
			e.Before = nil
		}
		if len(e.After) == 0 {
			e.After = nil
		}
		out = append(out, e)
	}
	return out, database.DomainError(rows.Err(), nil)
}

// VerifyAudit walks the whole stored chain in pages from its anchor and
// returns the first break, if any; with a checkpoint signer it then checks
// the newest signed checkpoint against the chain's head.
func (s *Store) VerifyAudit(ctx context.Context) (audit.Result, error) {
	return s.verifyAudit(ctx, verifyPageSize)
}

// verifyPageSize bounds the entries held in memory while verifying.
const verifyPageSize = 1000

// verifyAudit verifies in pages of page entries; the chain (and a suspect
// entry ending a page) carries over, so a break on a page boundary is
// reported as it would be within a page.
func (s *Store) verifyAudit(ctx context.Context, page int) (audit.Result, error) {
	start, err := s.AuditAnchor(ctx)
	if err != nil {
		return audit.Result{}, err
	}
	c := audit.NewChain(start)
	var after int64 = -1 << 62
	for {
		es, err := s.scanAudit(ctx, `SELECT `+auditCols+` FROM audit_log WHERE seq > ? ORDER BY seq LIMIT `+strconv.Itoa(page), after)
		if err != nil {
			return audit.Result{}, err
		}
		last := len(es) < page
		if c.Feed(es, last) != nil {
			return c.Result(), nil
		}
		if last {
			// The chain holds together; a signed checkpoint beyond its head
			// names deleted newest entries, one disagreeing with its entry
			// a rewritten history.
			r := c.Result()
			r.Finding, err = s.checkCheckpoint(ctx, r, start)
			return r, err
		}
		after = es[len(es)-1].Seq
	}
}
