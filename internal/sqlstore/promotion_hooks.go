package sqlstore

import (
	"context"
	"sync"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

// PromotionHook runs inside the transaction that creates or changes a
// promotion, after the write: from is the status before ("" for a new
// promotion), p the promotion as written. An error rolls the change back.
type PromotionHook func(ctx context.Context, tx *database.Tx, p *capsule.Promotion, from string) error

type promotionHooks struct {
	mu  sync.RWMutex
	fns []PromotionHook
}

// OnPromotionChange registers fn to run in the transaction of every
// promotion this store creates or updates: outbound webhooks and
// notifications queue promotion events there, so an event exists if and
// only if the change it reports committed. Register before the store is
// used.
func (s *Store) OnPromotionChange(fn PromotionHook) {
	s.promoHooks.mu.Lock()
	s.promoHooks.fns = append(s.promoHooks.fns, fn)
	s.promoHooks.mu.Unlock()
}

func (s *Store) promotionHooks() []PromotionHook {
	s.promoHooks.mu.RLock()
	defer s.promoHooks.mu.RUnlock()
	return s.promoHooks.fns
}

// promotionChanged runs the hooks for p inside tx.
func (s *Store) promotionChanged(ctx context.Context, tx *database.Tx, p *capsule.Promotion, from string) error {
	for _, fn := range s.promotionHooks() {
		if err := fn(ctx, tx, p, from); err != nil {
			return err
		}
	}
	return nil
}
