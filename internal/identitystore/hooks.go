package identitystore

import "sync"

// accessHooks are the functions run after writes that can change what
// someone may do.
type accessHooks struct {
	mu  sync.RWMutex
	fns []func()
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
