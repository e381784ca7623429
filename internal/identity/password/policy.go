package password

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/usecapsule/capsule"
)

// Policy limits. MinLength is counted in characters (runes), not bytes, so
// non-ASCII passphrases are treated fairly. MaxLength bounds hashing cost and
// request size; 128 characters is the common upper limit.
const (
	MinLength = 12
	MaxLength = 128
)

// common holds a few passwords that pass the length rule yet top every
// breach list; rejecting them costs nothing.
var common = map[string]bool{
	"password1234": true, "123456789012": true, "qwertyuiop12": true,
	"passwordpassword": true, "letmeinletmein": true, "administrator": true,
	"changemechangeme": true, "iloveyou1234": true, "welcome12345": true,
	"password123!": true, "qwertyuiopasdf": true, "1234567890123": true,
}

// CheckPolicy returns a validation error (capsule.KindInvalid, field
// "password") when pw does not meet the policy: 12 to 128 characters, valid
// UTF-8, no control characters, not a single repeated character, not one of
// the most common passwords. It follows NIST SP 800-63B: length over
// composition rules, so no mandatory digits or symbols.
func CheckPolicy(pw string) error {
	var v capsule.Validation
	switch n := utf8.RuneCountInString(pw); {
	case !utf8.ValidString(pw):
		v.Add("password", "is not valid UTF-8")
	case n < MinLength:
		v.Add("password", "must be at least %d characters, got %d", MinLength, n)
	case n > MaxLength:
		v.Add("password", "must be at most %d characters, got %d", MaxLength, n)
	case strings.IndexFunc(pw, unicode.IsControl) >= 0:
		v.Add("password", "must not contain control characters")
	case strings.Count(pw, pw[:1]) == len(pw):
		v.Add("password", "must not be one repeated character")
	case common[strings.ToLower(pw)]:
		v.Add("password", "is too common")
	}
	return v.Err()
}
