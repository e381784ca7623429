package identitystore

import (
	"context"
	"sync"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
)

// accessHooks are the functions run after writes that can change what
// someone may do.
type accessHooks struct {
	mu      sync.RWMutex
	fns     []func()
	appends []AppendHook
}

// OnAccessChange registers fn to run after every write of this store that
// can change an authorization decision (role bindings, custom roles, MFA
// enrolments, API keys), once the write has returned, committed or not.
// Read caches in front of the store register here so a removed grant stops
// working on the very next request instead of when a TTL runs out; writes
// through another Store value (another process) are not seen.
func (s *Store) OnAccessChange(fn func()) {
	s.hooks.mu.Lock()
	s.hooks.fns = append(s.hooks.fns, fn)
	s.hooks.mu.Unlock()
}

// accessChanged runs the hooks; deferred by the access-changing writes.
func (s *Store) accessChanged() {
	s.hooks.mu.RLock()
	defer s.hooks.mu.RUnlock()
	for _, fn := range s.hooks.fns {
		fn()
	}
}

// AppendHook runs inside the transaction that appends an audit entry.
type AppendHook func(ctx context.Context, tx *database.Tx, e audit.Entry) error

// OnAuditAppend registers fn to run in the transaction of every audit
// entry this store appends, after the entry is inserted: outbound webhooks
// queue their audit.* messages there, so a message exists if and only if
// its entry (and the change it records) committed. An error rolls the
// transaction back. Register before the store is used.
func (s *Store) OnAuditAppend(fn AppendHook) {
	s.hooks.mu.Lock()
	s.hooks.appends = append(s.hooks.appends, fn)
	s.hooks.mu.Unlock()
}

func (s *Store) appended(ctx context.Context, tx *database.Tx, e audit.Entry) error {
	s.hooks.mu.RLock()
	fns := s.hooks.appends
	s.hooks.mu.RUnlock()
	for _, fn := range fns {
		if err := fn(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}
