package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

const sessionColumns = "id, user_id, family_id, token_hash, user_agent, ip, created_at, expires_at, revoked_at, replaced_by"

func scanSession(r rowScanner) (*capsule.Session, error) {
	var (
		ss                        capsule.Session
		created, expires, revoked database.Time
	)
	err := r.Scan(&ss.ID, &ss.UserID, &ss.FamilyID, &ss.TokenHash, &ss.UserAgent, &ss.IP, &created, &expires, &revoked, &ss.ReplacedBy)
	if err != nil {
		return nil, err
	}
	ss.CreatedAt, ss.ExpiresAt, ss.RevokedAt = created.Time, expires.Time, revoked.Ptr()
	return &ss, nil
}

// errSessionNotFound never names the token hash it looked for.
func errSessionNotFound() *capsule.Error {
	return &capsule.Error{Kind: capsule.KindNotFound, Code: capsule.NotFoundCode("session"), Message: "session not found"}
}

// prepareSession fills a new session's ID (a UUIDv7 unless the caller chose
// one), family (its own ID for a new sign-in) and creation time.
func prepareSession(ss *capsule.Session) (capsule.Session, error) {
	n := *ss
	if n.ID == "" {
		n.ID = database.NewID()
	}
	if n.FamilyID == "" {
		n.FamilyID = n.ID
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = database.Now()
	}
	// What the caller gets back equals what a later read returns.
	n.CreatedAt, n.ExpiresAt, n.RevokedAt = database.Stored(n.CreatedAt), database.Stored(n.ExpiresAt), database.StoredPtr(n.RevokedAt)
	var v capsule.Validation
	if n.TokenHash == "" {
		v.Add("tokenHash", "is required")
	}
	if n.ExpiresAt.IsZero() {
		v.Add("expiresAt", "is required")
	}
	return n, v.Err()
}

func insertSession(ctx context.Context, tx *database.Tx, n *capsule.Session) error {
	uid, ok := database.CanonicalID(n.UserID)
	if !ok {
		return capsule.NotFound("user", n.UserID)
	}
	n.UserID = uid
	_, err := tx.Exec(ctx, "INSERT INTO sessions ("+sessionColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		n.ID, n.UserID, n.FamilyID, n.TokenHash, n.UserAgent, n.IP, database.TimeOf(n.CreatedAt),
		database.TimeOf(n.ExpiresAt), database.NullTimeOf(n.RevokedAt), n.ReplacedBy)
	switch {
	case database.IsUniqueViolation(err):
		return capsule.AlreadyExists("session", "id", n.ID) // id or token hash: both are random, so a retry is the answer
	case database.IsForeignKeyViolation(err):
		return capsule.NotFound("user", n.UserID)
	}
	return err
}

// CreateSession stores a new session of a signed-in user.
func (s *Store) CreateSession(ctx context.Context, ss *capsule.Session) error {
	n, err := prepareSession(ss)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *database.Tx) error { return insertSession(ctx, tx, &n) })
	if err != nil {
		return database.DomainError(err, nil)
	}
	*ss = n
	return nil
}

// FindSessionByTokenHash returns the session whose refresh token hashes to
// tokenHash, whether or not it is still usable: the caller checks
// RevokedAt, ReplacedBy and ExpiresAt (a replaced token signals theft).
func (s *Store) FindSessionByTokenHash(ctx context.Context, tokenHash string) (*capsule.Session, error) {
	if !database.ValidText(tokenHash) {
		return nil, errSessionNotFound()
	}
	ss, err := scanSession(s.db.QueryRow(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE token_hash = ?", tokenHash))
	return ss, database.DomainError(err, errSessionNotFound())
}

// RotateSession marks oldID replaced by next and stores next, atomically;
// next inherits the user and family of oldID when they are empty. Only one
// rotation of a session can succeed: the conditional UPDATE takes the row.
func (s *Store) RotateSession(ctx context.Context, oldID string, next *capsule.Session) error {
	n, err := prepareSession(next)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		var userID, familyID string
		err := tx.QueryRow(ctx, `UPDATE sessions SET replaced_by = ? WHERE id = ? AND replaced_by = '' AND revoked_at IS NULL
			RETURNING user_id, family_id`, n.ID, oldID).Scan(&userID, &familyID)
		if errors.Is(err, sql.ErrNoRows) {
			return rotateRefused(ctx, tx, oldID)
		}
		if err != nil {
			return err
		}
		if n.UserID == "" {
			n.UserID = userID
		}
		if next.FamilyID == "" {
			n.FamilyID = familyID
		}
		return insertSession(ctx, tx, &n)
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	*next = n
	return nil
}

// rotateRefused explains a rotation that changed no row.
func rotateRefused(ctx context.Context, q database.Querier, id string) error {
	found, err := exists(ctx, q, "sessions", id)
	if err != nil {
		return err
	}
	if !found {
		return errSessionNotFound()
	}
	return capsule.Errorf(capsule.KindConflict, capsule.CodeConflict, "session was already rotated or revoked")
}

// RevokeSession revokes one session; revoking twice is not an error.
func (s *Store) RevokeSession(ctx context.Context, id string) error {
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
			database.TimeOf(database.Now()), id)
		return mustAffect(res, err, errSessionNotFound())
	})
	return database.DomainError(err, nil)
}

// RevokeSessionFamily revokes every session of a refresh-token family.
func (s *Store) RevokeSessionFamily(ctx context.Context, familyID string) error {
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE sessions SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
			database.TimeOf(database.Now()), familyID)
		return err
	})
	return database.DomainError(err, nil)
}
