package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

// deleteByID deletes one row of table in a transaction; the schema's
// ON DELETE CASCADE removes what it owns atomically with it.
func (s *Store) deleteByID(ctx context.Context, table, entity, id string) error {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return capsule.NotFound(entity, id)
	}
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE id = ?", cid)
		return mustAffect(res, err, capsule.NotFound(entity, id))
	})
	return database.DomainError(err, nil)
}

// updateError explains the error of an UPDATE ... RETURNING guarded by
// version: no row means NOT_FOUND or VERSION_CONFLICT, a unique violation
// means dup.
func updateError(ctx context.Context, q database.Querier, err error, table, entity, id string, version int64, dup *capsule.Error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return checkVersion(ctx, q, table, entity, id, version)
	case database.IsUniqueViolation(err):
		return dup
	}
	return err
}
