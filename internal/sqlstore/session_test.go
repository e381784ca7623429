package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestStoreSessions(t *testing.T) {
	forEachDialect(t, []storeCase{
		{"rotation", testSessionRotation},
		{"concurrent rotation", testConcurrentRotation},
		{"revocation", testSessionRevocation},
	})
}

func newSession(t *testing.T, s *sqlstore.Store, userID, hash string) *capsule.Session {
	t.Helper()
	ss := &capsule.Session{UserID: userID, TokenHash: hash, UserAgent: "curl", IP: "127.0.0.1",
		ExpiresAt: time.Now().Add(time.Hour)}
	must(t, s.CreateSession(context.Background(), ss))
	return ss
}

func testSessionRotation(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	first := newSession(t, s, f.user.ID, "hash-1")
	if first.ID == "" || first.FamilyID != first.ID {
		t.Fatalf("new session: %+v", first)
	}
	got, err := s.FindSessionByTokenHash(ctx, "hash-1")
	must(t, err)
	equal(t, got, first) // what CreateSession returned is what is stored
	next := &capsule.Session{TokenHash: "hash-2", ExpiresAt: time.Now().Add(time.Hour)}
	must(t, s.RotateSession(ctx, first.ID, next))
	if next.FamilyID != first.FamilyID || next.UserID != f.user.ID {
		t.Fatalf("rotated session not in the family: %+v", next)
	}
	old, err := s.FindSessionByTokenHash(ctx, "hash-1")
	must(t, err)
	if old.ReplacedBy != next.ID {
		t.Fatalf("old session replaced by %q, want %q", old.ReplacedBy, next.ID)
	}
	// The second rotation of the same session must fail: token reuse.
	wantCode(t, s.RotateSession(ctx, first.ID, &capsule.Session{TokenHash: "hash-3", ExpiresAt: time.Now().Add(time.Hour)}),
		capsule.CodeConflict)
	if _, err := s.FindSessionByTokenHash(ctx, "hash-3"); err == nil {
		t.Fatal("a refused rotation stored its new session")
	}
	wantCode(t, s.RotateSession(ctx, "no-such-session", &capsule.Session{TokenHash: "hash-4", ExpiresAt: time.Now()}),
		"SESSION_NOT_FOUND")
	wantCode(t, s.CreateSession(ctx, &capsule.Session{UserID: f.user.ID, TokenHash: "hash-2", ExpiresAt: time.Now()}),
		"SESSION_ALREADY_EXISTS")
	wantCode(t, s.CreateSession(ctx, &capsule.Session{UserID: f.user.ID}), capsule.CodeValidation)
}

func testConcurrentRotation(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	first := newSession(t, s, f.user.ID, "root")
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			next := &capsule.Session{TokenHash: "child-" + string(rune('a'+i)), ExpiresAt: time.Now().Add(time.Hour)}
			errs[i] = s.RotateSession(ctx, first.ID, next)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		wantCode(t, err, capsule.CodeConflict)
	}
	if won != 1 {
		t.Fatalf("%d concurrent rotations of one session succeeded, want exactly 1", won)
	}
}

func testSessionRevocation(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	a := newSession(t, s, f.user.ID, "a")
	b := &capsule.Session{TokenHash: "b", ExpiresAt: time.Now().Add(time.Hour)}
	must(t, s.RotateSession(ctx, a.ID, b))
	other := newSession(t, s, f.user.ID, "other")

	must(t, s.RevokeSession(ctx, other.ID))
	must(t, s.RevokeSession(ctx, other.ID)) // idempotent
	got, err := s.FindSessionByTokenHash(ctx, "other")
	must(t, err)
	if got.RevokedAt == nil {
		t.Fatal("revoked session has no RevokedAt")
	}
	wantCode(t, s.RotateSession(ctx, other.ID, &capsule.Session{TokenHash: "x", ExpiresAt: time.Now()}), capsule.CodeConflict)
	wantCode(t, s.RevokeSession(ctx, "missing"), "SESSION_NOT_FOUND")

	must(t, s.RevokeSessionFamily(ctx, a.FamilyID))
	for _, h := range []string{"a", "b"} {
		got, err := s.FindSessionByTokenHash(ctx, h)
		must(t, err)
		if got.RevokedAt == nil {
			t.Fatalf("session %s of the revoked family is still valid", h)
		}
	}
}
