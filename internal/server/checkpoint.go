package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/httpapi"
)

// Audit chain anchoring: at start the server verifies the whole audit
// chain in the background (a large log must not delay serving), logs the
// outcome and publishes it on /readyz and as capsule_audit_chain_valid.
// Every AuditCheckpointInterval, and once more at graceful shutdown, it
// signs a checkpoint of the chain's head (seq, hash, time) with an Ed25519
// key derived from the token signing key (the JWT key: already secret,
// already backed up with the data directory or given in $CAPSULE_JWT_KEY,
// and never in the database) and stores it; GET /api/v1/audit/checkpoints
// exports them so a copy can be kept elsewhere. Rotating the JWT key makes
// the older checkpoints unverifiable (they are then ignored, and a forged
// newest one is reported): export them before rotating.

// DefaultAuditCheckpointInterval is how often the chain's head is signed.
const DefaultAuditCheckpointInterval = 5 * time.Minute

// auditAnchoring verifies the chain once, then writes checkpoints until
// ctx ends.
func (o *Options) auditAnchoring(ctx context.Context, api *httpapi.API) {
	if _, err := api.VerifyAuditChain(ctx); err != nil && ctx.Err() != nil {
		return
	}
	t := time.NewTicker(o.AuditCheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			o.checkpoint(ctx, api)
		}
	}
}

// checkpoint signs and stores the chain's head; a failure is logged and
// retried at the next tick.
func (o *Options) checkpoint(ctx context.Context, api *httpapi.API) {
	cp, err := api.WriteAuditCheckpoint(ctx)
	if err != nil {
		o.Logger.ErrorContext(ctx, "audit checkpoint failed", "error", err.Error())
		return
	}
	if cp.Seq > 0 {
		o.Logger.InfoContext(ctx, "audit checkpoint", "seq", cp.Seq, "hash", cp.Hash, "time", cp.Time)
	}
}

// finalCheckpoint anchors the head once requests have finished, so
// entries deleted while the server is down are named at the next start.
func (o *Options) finalCheckpoint(api *httpapi.API) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	o.checkpoint(ctx, api)
}

func (o *Options) validateCheckpoints() error {
	if o.AuditCheckpointInterval < time.Second {
		return fmt.Errorf("--audit-checkpoint-interval %s is below the minimum of 1s", o.AuditCheckpointInterval)
	}
	return nil
}

// CheckpointSigner returns the checkpoint key of the server whose data
// directory is dataDir (jwtKeyEnv is $CAPSULE_JWT_KEY), for tools that
// verify the database directly; nil, without error, when that server has
// no key yet (it never started, so it wrote no checkpoint).
func CheckpointSigner(dataDir, jwtKeyEnv string) (*audit.Signer, error) {
	if jwtKeyEnv == "" {
		if _, err := os.Stat(filepath.Join(dataDir, "jwt.key")); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
	}
	key, err := signingKey(dataDir, jwtKeyEnv)
	if err != nil {
		return nil, err
	}
	return audit.NewSigner(key), nil
}
