package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/secretbox"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// masterKeyring loads the secret store's master key from
// $CAPSULE_MASTER_KEY or <data dir>/master.key (generated, mode 0600, with a
// warning, when neither exists). $CAPSULE_MASTER_KEY_PREVIOUS names the key
// being rotated away: both are loaded, so every secret stays readable, and a
// background pass re-wraps each data key under the new one. Once the log
// says it finished, the previous key can be dropped.
//
// Before serving, every master key that wraps a stored data key must be
// loaded: a wrong key refuses the start, naming the missing key id, rather
// than answering 500 on every secret read. When $CAPSULE_MASTER_KEY differs
// from an existing key file, the file is rewritten with it once that check
// passes, so a later start without the variable uses the new key and not
// the one rotated away. The file is never created from the variable: an
// installation that keeps its key out of the data directory stays so.
func (o *Options) masterKeyring(ctx context.Context, st *sqlstore.Store) (*secretbox.Keyring, error) {
	envKey := o.Getenv("CAPSULE_MASTER_KEY")
	raw, created, err := secretbox.LoadMasterKey(envKey, o.DataDir)
	if err != nil {
		return nil, err
	}
	if created {
		o.Logger.Warn("generated a master key for the secret store; back it up, or set $CAPSULE_MASTER_KEY: without it no secret can be read",
			"file", filepath.Join(o.DataDir, secretbox.KeyFileName))
	}
	cur, err := secretbox.NewKEK(raw)
	if err != nil {
		return nil, err
	}
	ring := secretbox.NewKeyring(cur)
	prevText := o.Getenv("CAPSULE_MASTER_KEY_PREVIOUS")
	if prevText != "" {
		prevRaw, err := secretbox.ParseMasterKey(prevText)
		if err != nil {
			return nil, fmt.Errorf("$CAPSULE_MASTER_KEY_PREVIOUS: %w", err)
		}
		prev, err := secretbox.NewKEK(prevRaw)
		if err != nil {
			return nil, err
		}
		ring = secretbox.NewKeyring(cur, prev)
	}
	if st != nil {
		if err := checkMasterKeys(ctx, identitystore.New(st), ring, prevText != ""); err != nil {
			return nil, err
		}
	}
	if envKey != "" {
		if err := o.followEnvKey(raw); err != nil {
			return nil, err
		}
	}
	if prevText != "" && st != nil {
		go o.rotate(ctx, st, ring)
	}
	return ring, nil
}

// checkMasterKeys refuses a keyring that lacks a key wrapping stored data.
func checkMasterKeys(ctx context.Context, ids *identitystore.Store, ring *secretbox.Keyring, rotating bool) error {
	inUse, err := ids.MasterKeysInUse(ctx)
	if err != nil {
		return fmt.Errorf("checking the master key: %w", err)
	}
	var missing []string
	for id, n := range inUse {
		if !ring.Has(id) {
			missing = append(missing, fmt.Sprintf("%s (%d data keys)", id, n))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	hint := "set $CAPSULE_MASTER_KEY to that key, or, to rotate away from it, set it as $CAPSULE_MASTER_KEY_PREVIOUS beside the new one"
	if rotating {
		hint = "$CAPSULE_MASTER_KEY_PREVIOUS must be the key the data is under"
	}
	return fmt.Errorf("the master key cannot decrypt the stored secrets: they are under master key id %s, which is not loaded (loaded: %s); %s",
		strings.Join(missing, ", "), strings.Join(ring.IDs(), ", "), hint)
}

// followEnvKey rewrites an existing key file that holds another key than
// $CAPSULE_MASTER_KEY.
func (o *Options) followEnvKey(key []byte) error {
	old, err := secretbox.ReadKeyFile(o.DataDir)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && bytes.Equal(old, key)) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := secretbox.WriteKeyFile(o.DataDir, key); err != nil {
		return err
	}
	oldKEK, _ := secretbox.NewKEK(old)
	newKEK, _ := secretbox.NewKEK(key)
	o.Logger.Info("the master key file now holds $CAPSULE_MASTER_KEY", "file", filepath.Join(o.DataDir, secretbox.KeyFileName),
		"previousKeyID", oldKEK.ID, "keyID", newKEK.ID)
	return nil
}

// rotate re-wraps every data key under the current master key.
func (o *Options) rotate(ctx context.Context, st *sqlstore.Store, ring *secretbox.Keyring) {
	n, err := identitystore.New(st).RewrapAll(ctx, ring)
	if err != nil {
		o.Logger.Error("master key rotation stopped; it resumes on the next start", "rewrapped", n, "error", err.Error())
		return
	}
	o.Logger.Info("master key rotation finished: every secret is under the new key; $CAPSULE_MASTER_KEY_PREVIOUS can be removed", "rewrapped", n)
}
