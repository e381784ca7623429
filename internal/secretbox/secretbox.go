// Package secretbox is Capsule's envelope encryption for the secret store.
//
// Every secret version gets its own random 256-bit data key; the value is
// encrypted with it under AES-256-GCM, and the data key is itself encrypted
// ("wrapped") with AES-256-GCM under the key-encryption key (KEK), the master
// key. Only wrapped keys and ciphertexts reach the database. Both encryptions
// bind additional data naming the secret (organization, scope, name,
// version), so a ciphertext copied onto another secret's row does not open.
//
// Rotating the master key re-wraps data keys only; values are not
// re-encrypted. A Keyring holds the current KEK and any previous ones, each
// recognised by a fingerprint stored with the wrapped key, so reads keep
// working while a rotation re-wraps rows one by one: no downtime.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// KeySize is the size of a KEK and of a data key: AES-256.
const KeySize = 32

// KEK is a key-encryption key with its fingerprint.
type KEK struct {
	ID  string // first 8 bytes of SHA-256(key), hex: identifies the key, reveals nothing useful
	key []byte
}

// NewKEK checks that key is KeySize bytes and returns it with its fingerprint.
func NewKEK(key []byte) (KEK, error) {
	if len(key) != KeySize {
		return KEK{}, fmt.Errorf("secretbox: master key is %d bytes, need %d", len(key), KeySize)
	}
	sum := sha256.Sum256(append([]byte("capsule-kek-id:"), key...))
	return KEK{ID: hex.EncodeToString(sum[:8]), key: append([]byte(nil), key...)}, nil
}

// Sealed is an encrypted value as stored.
type Sealed struct {
	KEKID      string // fingerprint of the KEK that wrapped DataKey
	WrappedKey []byte // nonce || AES-GCM(KEK, data key)
	Ciphertext []byte // nonce || AES-GCM(data key, value)
}

// Keyring is the current KEK plus older ones still needed to unwrap.
type Keyring struct {
	current KEK
	byID    map[string]KEK
}

// NewKeyring returns a keyring that seals with current and opens with
// current or any of old.
func NewKeyring(current KEK, old ...KEK) *Keyring {
	k := &Keyring{current: current, byID: map[string]KEK{current.ID: current}}
	for _, o := range old {
		k.byID[o.ID] = o
	}
	return k
}

// Has reports whether the KEK with fingerprint id is loaded.
func (k *Keyring) Has(id string) bool {
	_, ok := k.byID[id]
	return ok
}

// IDs returns the fingerprints of every loaded KEK, the current one first.
func (k *Keyring) IDs() []string {
	ids := []string{k.current.ID}
	for id := range k.byID {
		if id != k.current.ID {
			ids = append(ids, id)
		}
	}
	return ids
}

// CurrentID returns the fingerprint of the KEK used by Seal.
func (k *Keyring) CurrentID() string { return k.current.ID }

// ErrOpen is wrapped by every Open failure; details never include key material.
var ErrOpen = errors.New("secretbox: cannot decrypt")

// Seal encrypts value with a fresh data key wrapped by the current KEK.
// aad names the secret the value belongs to.
func (k *Keyring) Seal(value, aad []byte) (Sealed, error) {
	dataKey := make([]byte, KeySize)
	if _, err := rand.Read(dataKey); err != nil {
		return Sealed{}, fmt.Errorf("secretbox: reading random: %w", err)
	}
	defer clear(dataKey)
	ct, err := gcmSeal(dataKey, value, aad)
	if err != nil {
		return Sealed{}, err
	}
	wrapped, err := gcmSeal(k.current.key, dataKey, wrapAAD(k.current.ID, aad))
	if err != nil {
		return Sealed{}, err
	}
	return Sealed{KEKID: k.current.ID, WrappedKey: wrapped, Ciphertext: ct}, nil
}

// Open decrypts s, which must have been sealed with the same aad.
func (k *Keyring) Open(s Sealed, aad []byte) ([]byte, error) {
	dataKey, err := k.unwrap(s, aad)
	if err != nil {
		return nil, err
	}
	defer clear(dataKey)
	v, err := gcmOpen(dataKey, s.Ciphertext, aad)
	if err != nil {
		return nil, fmt.Errorf("%w: value: %v", ErrOpen, err)
	}
	return v, nil
}

// Rewrap re-encrypts s's data key under the current KEK, leaving the value's
// ciphertext untouched. It is a no-op for a value already under the current KEK.
func (k *Keyring) Rewrap(s Sealed, aad []byte) (Sealed, error) {
	if s.KEKID == k.current.ID {
		return s, nil
	}
	dataKey, err := k.unwrap(s, aad)
	if err != nil {
		return Sealed{}, err
	}
	defer clear(dataKey)
	wrapped, err := gcmSeal(k.current.key, dataKey, wrapAAD(k.current.ID, aad))
	if err != nil {
		return Sealed{}, err
	}
	return Sealed{KEKID: k.current.ID, WrappedKey: wrapped, Ciphertext: s.Ciphertext}, nil
}

func (k *Keyring) unwrap(s Sealed, aad []byte) ([]byte, error) {
	kek, ok := k.byID[s.KEKID]
	if !ok {
		return nil, fmt.Errorf("%w: master key %q is not loaded (was it rotated away?)", ErrOpen, s.KEKID)
	}
	dataKey, err := gcmOpen(kek.key, s.WrappedKey, wrapAAD(kek.ID, aad))
	if err != nil || len(dataKey) != KeySize {
		return nil, fmt.Errorf("%w: data key: wrapped key does not open", ErrOpen)
	}
	return dataKey, nil
}

// wrapAAD binds the wrapped key to both the KEK and the secret.
func wrapAAD(kekID string, aad []byte) []byte {
	return append([]byte("capsule-dek:"+kekID+":"), aad...)
}

func gcmSeal(key, plain, aad []byte) ([]byte, error) {
	g, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, g.NonceSize(), g.NonceSize()+len(plain)+g.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("secretbox: reading random: %w", err)
	}
	return g.Seal(nonce, nonce, plain, aad), nil
}

func gcmOpen(key, data, aad []byte) ([]byte, error) {
	g, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(data) < g.NonceSize()+g.Overhead() {
		return nil, errors.New("ciphertext too short")
	}
	return g.Open(nil, data[:g.NonceSize()], data[g.NonceSize():], aad)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return cipher.NewGCM(b)
}
