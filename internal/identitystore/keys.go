package identitystore

import (
	"context"
	"fmt"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/identity"

	"github.com/usecapsule/capsule/internal/secretbox"
)

// MasterKeysInUse counts, per master key id, the stored data keys wrapped
// under it: secret versions and MFA secrets. A server checks at start that
// it holds every one of them, so a wrong master key stops the start instead
// of failing every later read.
func (s *Store) MasterKeysInUse(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	for _, q := range []string{
		`SELECT kek_id, COUNT(*) FROM secret_versions GROUP BY kek_id`,
		`SELECT secret_kek_id, COUNT(*) FROM user_mfa GROUP BY secret_kek_id`,
	} {
		rows, err := s.query(ctx, q)
		if err != nil {
			return nil, database.DomainError(err, nil)
		}
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, database.DomainError(err, nil)
			}
			out[id] += n
		}
		if err := rows.Close(); err != nil {
			return nil, database.DomainError(err, nil)
		}
	}
	return out, nil
}

// RewrapMFA re-wraps every MFA secret not under ring's current master key,
// one row at a time, conditioned on its old key id like RewrapSecrets.
func (s *Store) RewrapMFA(ctx context.Context, ring *secretbox.Keyring) (int, error) {
	type row struct {
		user   string
		sealed secretbox.Sealed
	}
	rows, err := s.query(ctx, `SELECT user_id, secret_kek_id, secret_wrapped, secret_sealed FROM user_mfa WHERE secret_kek_id <> ?`, ring.CurrentID())
	if err != nil {
		return 0, database.DomainError(err, nil)
	}
	var batch []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.user, &r.sealed.KEKID, &r.sealed.WrappedKey, &r.sealed.Ciphertext); err != nil {
			rows.Close()
			return 0, database.DomainError(err, nil)
		}
		batch = append(batch, r)
	}
	if err := rows.Close(); err != nil {
		return 0, database.DomainError(err, nil)
	}
	n := 0
	for _, r := range batch {
		out, err := ring.Rewrap(r.sealed, identity.MFAAAD(r.user))
		if err != nil {
			return n, fmt.Errorf("MFA secret of user %s: %w", r.user, err)
		}
		if _, err := s.exec(ctx, `UPDATE user_mfa SET secret_kek_id = ?, secret_wrapped = ? WHERE user_id = ? AND secret_kek_id = ?`,
			out.KEKID, out.WrappedKey, r.user, r.sealed.KEKID); err != nil {
			return n, database.DomainError(err, nil)
		}
		n++
	}
	return n, nil
}
