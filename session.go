package capsule

import (
	"context"
	"time"
)

// Session is one refresh-token lineage of a signed-in user. Refresh tokens
// rotate: each use replaces the session's token with a new one in the same
// family; presenting a token that was already replaced revokes the family
// (token theft detection). Only a hash of the token is stored.
type Session struct {
	ID         string     `json:"id"`
	UserID     string     `json:"userId"`
	FamilyID   string     `json:"familyId"`
	TokenHash  string     `json:"-"`
	UserAgent  string     `json:"userAgent,omitempty"`
	IP         string     `json:"ip,omitempty"`
	CreatedAt  time.Time  `json:"createdAt"`
	ExpiresAt  time.Time  `json:"expiresAt"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
	ReplacedBy string     `json:"replacedBy,omitempty"` // the session that rotated this one
}

// SessionStore persists sessions.
type SessionStore interface {
	CreateSession(ctx context.Context, s *Session) error
	FindSessionByTokenHash(ctx context.Context, tokenHash string) (*Session, error)
	// RotateSession marks session oldID as replaced by next and stores next,
	// atomically. It fails with a CONFLICT error when oldID was already
	// replaced or revoked, so a token can be rotated once only.
	RotateSession(ctx context.Context, oldID string, next *Session) error
	RevokeSession(ctx context.Context, id string) error
	RevokeSessionFamily(ctx context.Context, familyID string) error
	// RevokeUserSessions revokes every session of a user.
	RevokeUserSessions(ctx context.Context, userID string) error
	// ListLiveSessions returns the usable head session (not revoked, not
	// replaced, not expired at now) of each of the user's sign-ins, newest
	// first, with when the sign-in began.
	ListLiveSessions(ctx context.Context, userID string, now time.Time) ([]LiveSession, error)
	// RevokeUserSessionFamily revokes one sign-in of userID; a family of
	// another user is NOT_FOUND, so nobody learns it exists.
	RevokeUserSessionFamily(ctx context.Context, userID, familyID string) error
	// SessionLive reports whether the family still has an unrevoked,
	// unexpired, unreplaced session of userID whose user is enabled: the
	// test every access token minted from that family passes on each use.
	SessionLive(ctx context.Context, familyID, userID string, now time.Time) (bool, error)
}

// LiveSession is one sign-in as its user sees it: the family's current head
// (CreatedAt is when its token last rotated) and when the family began.
type LiveSession struct {
	Session
	SignedInAt time.Time
}
