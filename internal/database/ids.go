package database

import "github.com/google/uuid"

// NewID returns a time-ordered UUIDv7, so ordering by id is creation order.
// Every store that writes rows of this database takes its ids here.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// CanonicalID returns id in the lower-case form the stores keep, and false
// when id is not a UUID. Columns of UUID type on PostgreSQL reject anything
// else, so callers answer "not found" for such ids in both dialects alike.
func CanonicalID(id string) (string, bool) {
	if len(id) != 36 {
		return "", false
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return "", false
	}
	return u.String(), true
}

// IsID reports whether id is a UUID (see CanonicalID).
func IsID(id string) bool {
	_, ok := CanonicalID(id)
	return ok
}
