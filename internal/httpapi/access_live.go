package httpapi

import (
	"context"
	"time"

	"github.com/usecapsule/capsule"
)

// liveTTL is how long a replica trusts its last answer about a session.
// Access tokens are bound to their session family: logout, a replayed
// refresh token, an administrator's revocation, a disabled or deleted user
// and a removed member all revoke sessions in the store, and every replica
// refuses the family's access tokens at most liveTTL later (at once on the
// replica that made the change, which clears its cache).
const liveTTL = 500 * time.Millisecond

var errSessionEnded = capsule.Errorf(capsule.KindUnauthenticated, capsule.CodeSessionRevoked,
	"the session of this access token has ended (signed out, revoked, or the user was disabled or removed); sign in again")

// sessionLive refuses an access token whose session family has no live
// session any more, or whose user is disabled or deleted. The store is the
// truth; the cache only spares a read per request within liveTTL.
func (ac *access) sessionLive(ctx context.Context, familyID, userID string, now time.Time) error {
	ok, err := cached(ac.live, familyID+"\x00"+userID, func() (bool, error) {
		return ac.store.SessionLive(ctx, familyID, userID, now)
	})
	if err != nil {
		return err
	}
	if !ok {
		return errSessionEnded
	}
	return nil
}

// revokeUser revokes every session of a user (a removed member) and forgets
// cached answers, so their tokens are refused on the next request here.
func (ac *access) revokeUser(ctx context.Context, userID string) error {
	err := ac.store.RevokeUserSessions(ctx, userID)
	ac.live.reset()
	return err
}
