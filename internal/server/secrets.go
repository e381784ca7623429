package server

import (
	"context"
	"fmt"

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
func (o *Options) masterKeyring(ctx context.Context, st *sqlstore.Store) (*secretbox.Keyring, error) {
	raw, created, err := secretbox.LoadMasterKey(o.Getenv("CAPSULE_MASTER_KEY"), o.DataDir)
	if err != nil {
		return nil, err
	}
	if created {
		o.Logger.Warn("generated a master key for the secret store; back it up, or set $CAPSULE_MASTER_KEY: without it no secret can be read",
			"file", o.DataDir+"/"+secretbox.KeyFileName)
	}
	cur, err := secretbox.NewKEK(raw)
	if err != nil {
		return nil, err
	}
	prevText := o.Getenv("CAPSULE_MASTER_KEY_PREVIOUS")
	if prevText == "" {
		return secretbox.NewKeyring(cur), nil
	}
	prevRaw, err := secretbox.ParseMasterKey(prevText)
	if err != nil {
		return nil, fmt.Errorf("$CAPSULE_MASTER_KEY_PREVIOUS: %w", err)
	}
	prev, err := secretbox.NewKEK(prevRaw)
	if err != nil {
		return nil, err
	}
	ring := secretbox.NewKeyring(cur, prev)
	go func() {
		n, err := identitystore.New(st).RewrapAll(ctx, ring)
		if err != nil {
			o.Logger.Error("master key rotation stopped; it resumes on the next start", "rewrapped", n, "error", err.Error())
			return
		}
		o.Logger.Info("master key rotation finished: every secret is under the new key; $CAPSULE_MASTER_KEY_PREVIOUS can be removed", "rewrapped", n)
	}()
	return ring, nil
}
