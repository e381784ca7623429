package sqlstore

import (
	"context"
	"strings"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

const userColumns = "id, email, name, password_hash, created_at, last_login_at, disabled_at"

func scanUser(r rowScanner) (*capsule.User, error) {
	var (
		u                        capsule.User
		created, login, disabled database.Time
	)
	if err := r.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &created, &login, &disabled); err != nil {
		return nil, err
	}
	u.CreatedAt, u.LastLoginAt, u.DisabledAt = created.Time, login.Ptr(), disabled.Ptr()
	return &u, nil
}

// emailKey is the case-insensitive uniqueness key of an email address.
func emailKey(email string) string { return strings.ToLower(email) }

// FindUser returns the user with id.
func (s *Store) FindUser(ctx context.Context, id string) (*capsule.User, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("user", id)
	}
	u, err := scanUser(s.db.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE id = ?", cid))
	return u, database.DomainError(err, capsule.NotFound("user", id))
}

// FindUserByEmail returns the user with email, compared case-insensitively.
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*capsule.User, error) {
	if !database.ValidText(email) {
		return nil, capsule.NotFound("user", email)
	}
	u, err := scanUser(s.db.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE email_key = ?", emailKey(email)))
	return u, database.DomainError(err, capsule.NotFound("user", email))
}

// CreateUser stores u with a new ID; the email must be unused in any case.
func (s *Store) CreateUser(ctx context.Context, u *capsule.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	n := *u
	n.ID, n.CreatedAt, n.LastLoginAt = database.NewID(), database.Now(), database.StoredPtr(u.LastLoginAt)
	database.NoteTarget(ctx, n.ID)
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO users (id, email, email_key, name, password_hash, created_at, last_login_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
			n.ID, n.Email, emailKey(n.Email), n.Name, n.PasswordHash, database.TimeOf(n.CreatedAt), database.NullTimeOf(n.LastLoginAt))
		if database.IsUniqueViolation(err) {
			return capsule.AlreadyExists("user", "email", n.Email)
		}
		return err
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	*u = n
	return nil
}

// UpdateUser writes the user's email, name and password hash. Users carry
// no version: they are edited by their owner or by identity flows only.
func (s *Store) UpdateUser(ctx context.Context, u *capsule.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	id, ok := database.CanonicalID(u.ID)
	if !ok {
		return capsule.NotFound("user", u.ID)
	}
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE users SET email = ?, email_key = ?, name = ?, password_hash = ? WHERE id = ?",
			u.Email, emailKey(u.Email), u.Name, u.PasswordHash, id)
		if database.IsUniqueViolation(err) {
			return capsule.AlreadyExists("user", "email", u.Email)
		}
		return mustAffect(res, err, capsule.NotFound("user", u.ID))
	})
	return database.DomainError(err, nil)
}

// TouchUserLogin records a successful sign-in.
func (s *Store) TouchUserLogin(ctx context.Context, id string, at time.Time) error {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return capsule.NotFound("user", id)
	}
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, "UPDATE users SET last_login_at = ? WHERE id = ?",
			database.TimeOf(database.Stored(at)), cid)
		return mustAffect(res, err, capsule.NotFound("user", id))
	})
	return database.DomainError(err, nil)
}

// CountUsers returns the number of users (zero before the first start's
// bootstrap).
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, "SELECT COUNT(*) FROM users").Scan(&n); err != nil {
		return 0, capsule.Internal(err)
	}
	return n, nil
}
