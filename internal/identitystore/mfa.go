package identitystore

import (
	"context"
	"database/sql"
	"errors"
	"github.com/usecapsule/capsule/internal/identity"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/secretbox"
)

// MFA is a user's TOTP enrolment (identity.MFA).
type MFA = identity.MFA

// StartMFA stores a new, unconfirmed enrolment, replacing an unconfirmed
// one. A confirmed enrolment is a conflict: disable it first.
func (s *Store) StartMFA(ctx context.Context, userID string, secret secretbox.Sealed, now time.Time) error {
	defer s.accessChanged()
	return database.DomainError(s.inTx(ctx, func(tx *database.Tx) error {
		var confirmed database.Time
		err := tx.QueryRow(ctx, `SELECT confirmed_at FROM user_mfa WHERE user_id = ?`, userID).Scan(&confirmed)
		switch {
		case err == nil && confirmed.Valid:
			return capsule.Errorf(capsule.KindConflict, capsule.CodeMFAAlreadyEnabled, "two-factor authentication is already enabled; disable it first")
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM user_mfa WHERE user_id = ?`, userID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO user_mfa (user_id, secret_sealed, secret_kek_id, secret_wrapped, last_step, created_at)
			VALUES (?, ?, ?, ?, 0, ?)`, userID, secret.Ciphertext, secret.KEKID, secret.WrappedKey, database.TimeOf(now))
		return err
	}), nil)
}

// FindMFA returns the user's enrolment (MFA_NOT_ENROLLED when none).
func (s *Store) FindMFA(ctx context.Context, userID string) (*MFA, error) {
	m := MFA{UserID: userID}
	var confirmed database.Time
	err := s.queryRow(ctx, `SELECT secret_sealed, secret_kek_id, secret_wrapped, confirmed_at, last_step FROM user_mfa WHERE user_id = ?`, userID).
		Scan(&m.Secret.Ciphertext, &m.Secret.KEKID, &m.Secret.WrappedKey, &confirmed, &m.LastStep)
	m.ConfirmedAt = confirmed.Ptr()
	return &m, database.DomainError(err, capsule.Errorf(capsule.KindNotFound, capsule.CodeMFANotEnrolled, "two-factor authentication is not set up"))
}

// MFAEnabled reports whether the user has a confirmed enrolment.
func (s *Store) MFAEnabled(ctx context.Context, userID string) (bool, error) {
	if !database.IsID(userID) {
		return false, nil
	}
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM user_mfa WHERE user_id = ? AND confirmed_at IS NOT NULL`, userID).Scan(&n)
	return n > 0, database.DomainError(err, nil)
}

// ConfirmMFA marks the enrolment confirmed at step and stores the hashes
// of fresh recovery codes, replacing older ones.
func (s *Store) ConfirmMFA(ctx context.Context, userID string, step int64, recoveryHashes []string, now time.Time) error {
	defer s.accessChanged()
	return database.DomainError(s.inTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE user_mfa SET confirmed_at = ?, last_step = ? WHERE user_id = ? AND confirmed_at IS NULL`,
			database.TimeOf(now), step, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return capsule.Errorf(capsule.KindConflict, capsule.CodeMFANotPending, "no two-factor enrolment is waiting for confirmation")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM mfa_recovery_codes WHERE user_id = ?`, userID); err != nil {
			return err
		}
		for _, h := range recoveryHashes {
			if _, err := tx.Exec(ctx, `INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES (?, ?)`, userID, h); err != nil {
				return err
			}
		}
		return nil
	}), nil)
}

// AdvanceMFAStep records step as used when it is newer than the last one,
// atomically, and reports whether it was: two concurrent sign-ins with the
// same code cannot both pass.
func (s *Store) AdvanceMFAStep(ctx context.Context, userID string, step int64) (bool, error) {
	res, err := s.exec(ctx, `UPDATE user_mfa SET last_step = ? WHERE user_id = ? AND last_step < ?`, step, userID, step)
	if err != nil {
		return false, database.DomainError(err, nil)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RecoveryCodeHashes returns the user's unused recovery code hashes.
func (s *Store) RecoveryCodeHashes(ctx context.Context, userID string) ([]string, error) {
	rows, err := s.query(ctx, `SELECT code_hash FROM mfa_recovery_codes WHERE user_id = ?`, userID)
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, database.DomainError(err, nil)
		}
		out = append(out, h)
	}
	return out, database.DomainError(rows.Err(), nil)
}

// UseRecoveryCode deletes the code's hash and reports whether it existed:
// each code works once.
func (s *Store) UseRecoveryCode(ctx context.Context, userID, hash string) (bool, error) {
	res, err := s.exec(ctx, `DELETE FROM mfa_recovery_codes WHERE user_id = ? AND code_hash = ?`, userID, hash)
	if err != nil {
		return false, database.DomainError(err, nil)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// DeleteMFA removes the user's enrolment and recovery codes.
func (s *Store) DeleteMFA(ctx context.Context, userID string) error {
	defer s.accessChanged()
	return database.DomainError(s.inTx(ctx, func(tx *database.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM mfa_recovery_codes WHERE user_id = ?`, userID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM user_mfa WHERE user_id = ?`, userID)
		return err
	}), nil)
}
