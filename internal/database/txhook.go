package database

import "context"

// TxHook joins a piece of work to every write transaction run under a
// context: the audit log uses it so that a state change and its audit entry
// commit together, or neither does. The store methods stay unaware of it;
// InTx calls the hook, in the same transaction (and, on SQLite, the same
// savepoint of the group commit), after the transaction's function
// succeeded.
type TxHook interface {
	// BeforeCommit runs inside the transaction after its function returned
	// nil; an error rolls the whole transaction back and is returned by
	// InTx. It may run more than once for one transaction when InTx retries.
	BeforeCommit(ctx context.Context, tx *Tx) error
	// Finished reports the transaction's outcome: nil once it committed.
	Finished(err error)
	// Target is told the id of the entity a store method is about to
	// create, which only the store knows before the transaction runs.
	Target(id string)
}

type txHookKey struct{}

// WithTxHook returns a context whose write transactions run h.
func WithTxHook(ctx context.Context, h TxHook) context.Context {
	return context.WithValue(ctx, txHookKey{}, h)
}

// WithoutTxHook returns a context whose write transactions run no hook: for
// writes that are not the audited change itself (appending an audit entry,
// bookkeeping of the request).
func WithoutTxHook(ctx context.Context) context.Context {
	if ctx.Value(txHookKey{}) == nil {
		return ctx
	}
	return context.WithValue(ctx, txHookKey{}, nil)
}

func txHookOf(ctx context.Context) TxHook {
	h, _ := ctx.Value(txHookKey{}).(TxHook)
	return h
}

// NoteTarget tells the context's hook, if any, the id of the entity about
// to be created, so the audit entry committed with it names it.
func NoteTarget(ctx context.Context, id string) {
	if h := txHookOf(ctx); h != nil {
		h.Target(id)
	}
}

// hooked wraps fn so the context's hook runs after it inside the
// transaction; it returns fn itself when there is no hook.
func hooked(ctx context.Context, fn func(tx *Tx) error) (func(tx *Tx) error, TxHook) {
	h := txHookOf(ctx)
	if h == nil {
		return fn, nil
	}
	return func(tx *Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return h.BeforeCommit(ctx, tx)
	}, h
}
