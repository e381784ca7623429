package database_test

import (
	"database/sql"
	"errors"
	"fmt"
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

// TestDomainError pins the one mapping of driver errors to domain errors
// that the stores share.
func TestDomainError(t *testing.T) {
	notFound := capsule.NotFound("secret", "x")
	conflict := capsule.Errorf(capsule.KindConflict, capsule.CodeConflict, "taken")
	cases := []struct {
		name     string
		err      error
		notFound *capsule.Error
		code     string
		same     error
	}{
		{"nil", nil, notFound, "", nil},
		{"no rows", fmt.Errorf("scan: %w", sql.ErrNoRows), notFound, notFound.Code, notFound},
		{"no rows without notFound", sql.ErrNoRows, nil, capsule.CodeInternal, nil},
		{"domain passes through", conflict, notFound, capsule.CodeConflict, conflict},
		{"invalid text", database.ErrInvalidText, nil, capsule.CodeValidation, nil},
		{"anything else", errors.New("disk on fire"), notFound, capsule.CodeInternal, nil},
	}
	for _, c := range cases {
		got := database.DomainError(c.err, c.notFound)
		if c.err == nil {
			if got != nil {
				t.Errorf("%s: %v, want nil", c.name, got)
			}
			continue
		}
		if code := capsule.ErrorCode(got); code != c.code {
			t.Errorf("%s: code %q, want %q (%v)", c.name, code, c.code, got)
		}
		if c.same != nil && got != c.same {
			t.Errorf("%s: %v, want the very error %v", c.name, got, c.same)
		}
	}
}

func TestCanonicalID(t *testing.T) {
	id := database.NewID()
	if got, ok := database.CanonicalID(id); !ok || got != id || !database.IsID(id) {
		t.Fatalf("NewID %q is not canonical: %q %v", id, got, ok)
	}
	upper := "0190F6A0-0000-7000-8000-000000000000"
	if got, ok := database.CanonicalID(upper); !ok || got != "0190f6a0-0000-7000-8000-000000000000" {
		t.Errorf("CanonicalID(%q) = %q, %v", upper, got, ok)
	}
	for _, bad := range []string{"", "x", "0190f6a000007000800000000000000000000", "{0190f6a0-0000-7000-8000-000000000000}"} {
		if database.IsID(bad) {
			t.Errorf("IsID(%q) = true", bad)
		}
	}
}
