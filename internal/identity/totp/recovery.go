package totp

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
)

// RecoveryCodeCount is how many recovery codes an enrolment gets.
const RecoveryCodeCount = 10

// recoveryAlphabet avoids look-alike characters (0/O, 1/I/L).
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// NewRecoveryCodes returns n codes to show the user once, formatted
// xxxx-xxxx-xxxx-xxxx (16 characters of a 31-letter alphabet: ~79 bits, so an
// unsalted SHA-256 of each is safe to store), and their hashes to store.
func NewRecoveryCodes(n int) (codes, hashes []string, err error) {
	for range n {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, fmt.Errorf("totp: reading random: %w", err)
		}
		var sb strings.Builder
		for i, x := range b {
			if i > 0 && i%4 == 0 {
				sb.WriteByte('-')
			}
			// 256 % 31 bias is under 1 % per character; irrelevant at 79 bits.
			sb.WriteByte(recoveryAlphabet[int(x)%len(recoveryAlphabet)])
		}
		c := sb.String()
		codes = append(codes, c)
		hashes = append(hashes, HashRecoveryCode(c))
	}
	return codes, hashes, nil
}

// HashRecoveryCode normalises a code as typed (case, spaces, dashes) and hashes it.
func HashRecoveryCode(code string) string {
	c := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(code))
	sum := sha256.Sum256([]byte("capsule-recovery:" + c))
	return hex.EncodeToString(sum[:])
}

// MatchRecoveryCode returns the index of the stored hash that code matches,
// or -1. The caller deletes the matched hash: each code works once. Every
// hash is compared so timing does not reveal which one matched.
func MatchRecoveryCode(code string, hashes []string) int {
	h := []byte(HashRecoveryCode(code))
	found := -1
	for i, s := range hashes {
		if subtle.ConstantTimeCompare(h, []byte(s)) == 1 {
			found = i
		}
	}
	return found
}
