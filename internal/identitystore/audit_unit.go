package identitystore

import (
	"context"
	"github.com/usecapsule/capsule/internal/identity"
	"maps"
	"sync"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
)

// AuditUnit carries one request's audit entry into the request's write
// transactions, so the state change and its entry commit together or
// neither does. The guard of the HTTP API opens one per state-changing
// request with WithAuditUnit; the stores stay unaware of it: every InTx
// run under the returned context appends the entry before committing.
//
// The entry is appended by the first write transaction of the request that
// commits; later transactions of the same request (a handler that writes
// twice) commit without another entry, the request's entry covering them.
// When no transaction commits (the handler refused the request, or wrote
// nothing), Committed reports false and the caller appends the entry with
// its outcome on its own.
type AuditUnit struct {
	s  *Store
	mu sync.Mutex
	// template is the entry; each attempt appends a copy, so a retried
	// transaction seals a fresh one.
	template  audit.Entry
	target    string
	attempt   *audit.Entry
	committed *audit.Entry
}

// WithAuditUnit returns a context whose write transactions append e (with
// outcome success; the time of the append when e has none) and the unit to ask afterwards
// whether one did.
func (s *Store) WithAuditUnit(ctx context.Context, e audit.Entry) (context.Context, identity.AuditUnit) {
	u := &AuditUnit{s: s, template: e}
	return database.WithTxHook(ctx, u), u
}

// WithoutAuditUnit returns ctx whose write transactions append no entry.
func (s *Store) WithoutAuditUnit(ctx context.Context) context.Context {
	return database.WithoutTxHook(ctx)
}

// BeforeCommit appends the entry inside tx unless an earlier transaction of
// the request already committed it.
func (u *AuditUnit) BeforeCommit(ctx context.Context, tx *database.Tx) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.committed != nil {
		return nil
	}
	e := u.template
	e.Before, e.After = maps.Clone(e.Before), maps.Clone(e.After)
	if e.TargetID == "" {
		e.TargetID = u.target
	}
	e.Outcome = audit.OutcomeSuccess
	if e.Time.IsZero() {
		e.Time = database.Now()
	}
	storable(&e)
	if err := u.s.appendInTx(ctx, tx, &e); err != nil {
		return err
	}
	u.attempt = &e
	return nil
}

// Finished records the entry as committed when its transaction committed.
func (u *AuditUnit) Finished(err error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if err == nil && u.attempt != nil && u.committed == nil {
		u.committed = u.attempt
	}
	if err != nil && u.committed == nil {
		// The entity named by a rolled-back create does not exist: the
		// next write names its own.
		u.target = ""
	}
	u.attempt = nil
}

// Target names the entity being created when the entry names none yet.
// The latest call wins: store methods call it just before their
// transaction, so it names the create that commits, not one that failed
// validation earlier.
func (u *AuditUnit) Target(id string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.committed == nil {
		u.target = id
	}
}

// Committed returns the entry committed with the request's change, if any.
func (u *AuditUnit) Committed() (audit.Entry, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.committed == nil {
		return audit.Entry{}, false
	}
	return *u.committed, true
}
