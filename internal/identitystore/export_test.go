package identitystore

import (
	"context"

	"github.com/usecapsule/capsule/internal/audit"
)

// VerifyAuditPaged exposes the page size of VerifyAudit to the tests, so
// breaks on a page boundary can be placed with a handful of entries.
func (s *Store) VerifyAuditPaged(ctx context.Context, page int) (audit.Result, error) {
	return s.verifyAudit(ctx, page)
}
