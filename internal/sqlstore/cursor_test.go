package sqlstore

import (
	"github.com/usecapsule/capsule/internal/database"
	"testing"

	capsule "github.com/usecapsule/capsule"
)

// FuzzCursor feeds arbitrary client cursors to the decoder: each is either
// a canonical UUID or a VALIDATION_FAILED error on "cursor", never a panic,
// and every cursor the store makes decodes back to its key.
func FuzzCursor(f *testing.F) {
	for _, seed := range []string{"", "!!", "%%%", "bm90LWEtdXVpZA", encodeCursor("0190c9d4-0000-7000-8000-000000000000"),
		encodeCursor("0190C9D4-0000-7000-8000-00000000000A"), encodeCursor("{0190c9d4-0000-7000-8000-000000000000}"), "'; DROP TABLE x; --"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, cursor string) {
		key, err := decodeCursor(cursor)
		if err == nil {
			key, err = cursorID(key)
		}
		if err != nil {
			if capsule.ErrorCode(err) != capsule.CodeValidation {
				t.Fatalf("cursor %q: error %v is not a validation error", cursor, err)
			}
			return
		}
		if id, ok := database.CanonicalID(key); !ok || id != key {
			t.Fatalf("cursor %q decoded to %q, not a canonical UUID", cursor, key)
		}
		if back, err := decodeCursor(encodeCursor(key)); err != nil || back != key {
			t.Fatalf("round trip of %q: %q, %v", key, back, err)
		}
	})
}
