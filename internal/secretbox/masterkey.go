package secretbox

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFileName is the master key file created in the data directory.
const KeyFileName = "master.key"

// ParseMasterKey decodes a master key given as 64 hex characters or as
// standard or URL-safe base64 of 32 bytes (what `openssl rand -base64 32`
// and `openssl rand -hex 32` print).
func ParseMasterKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == KeySize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("master key must be %d bytes as 64 hex characters or base64 (got %d characters)", KeySize, len(s))
}

// LoadMasterKey returns the master key: from envValue (the caller passes
// $CAPSULE_MASTER_KEY) when set, else from dataDir/master.key, creating that
// file with mode 0600 when absent. created reports a new file, so the caller
// can warn that it must be backed up: losing it loses every secret.
func LoadMasterKey(envValue, dataDir string) (key []byte, created bool, err error) {
	if envValue != "" {
		key, err = ParseMasterKey(envValue)
		if err != nil {
			return nil, false, fmt.Errorf("$CAPSULE_MASTER_KEY: %w", err)
		}
		return key, false, nil
	}
	path := filepath.Join(dataDir, KeyFileName)
	data, err := os.ReadFile(path)
	if err == nil {
		if fi, serr := os.Stat(path); serr == nil && fi.Mode().Perm()&0o077 != 0 {
			return nil, false, fmt.Errorf("%s: mode %v lets others read the master key; chmod 600 it", path, fi.Mode().Perm())
		}
		key, err = ParseMasterKey(string(data))
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", path, err)
		}
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("reading master key: %w", err)
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, fmt.Errorf("generating master key: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, false, fmt.Errorf("creating data dir: %w", err)
	}
	// O_EXCL: two servers starting at once must not overwrite each other's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("creating %s: %w", path, err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, false, fmt.Errorf("writing %s: %w", path, werr)
	}
	return key, true, nil
}

// ReadKeyFile returns the master key in dataDir/master.key; an error
// wrapping fs.ErrNotExist when there is none.
func ReadKeyFile(dataDir string) ([]byte, error) {
	path := filepath.Join(dataDir, KeyFileName)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := ParseMasterKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// WriteKeyFile replaces dataDir/master.key with key (mode 0600). It writes
// a temporary file and renames it over the old one, so a crash leaves
// either key whole, never half of one.
func WriteKeyFile(dataDir string, key []byte) error {
	if len(key) != KeySize {
		return fmt.Errorf("master key is %d bytes, need %d", len(key), KeySize)
	}
	path := filepath.Join(dataDir, KeyFileName)
	f, err := os.CreateTemp(dataDir, KeyFileName+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
