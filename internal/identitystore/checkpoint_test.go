package identitystore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
)

// TestCheckpointNamesTruncation: deleting the newest entries leaves a chain
// that still links; the signed checkpoint written before names the loss.
// Re-hashing the whole tail is named too, and a forged checkpoint is not
// trusted.
func TestCheckpointNamesTruncation(t *testing.T) { forEachDB(t, testCheckpointNamesTruncation) }

func testCheckpointNamesTruncation(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.ids.SetCheckpointSigner(audit.NewSigner([]byte("0123456789abcdef0123456789abcdef")))
	es := appendEntries(t, f, 8)
	cp, err := f.ids.WriteCheckpoint(ctx, audit.Checkpoint{Time: t0})
	if err != nil || cp.Seq != 8 || cp.Hash != es[7].Hash {
		t.Fatalf("checkpoint: %+v, %v", cp, err)
	}
	if again, err := f.ids.WriteCheckpoint(ctx, audit.Checkpoint{Time: t0.Add(1)}); err != nil || again != cp {
		t.Fatalf("a second checkpoint of the same head: %+v, %v", again, err)
	}
	if r, err := f.ids.VerifyAudit(ctx); err != nil || r.Finding != nil || r.Checked != 8 {
		t.Fatalf("intact log: %+v, %v", r, err)
	}
	sql(t, f, `DELETE FROM audit_log WHERE seq > 5`)
	r, err := f.ids.VerifyAudit(ctx)
	if err != nil || r.Finding == nil || r.Finding.Problem != audit.Truncated || r.Finding.Seq != 6 ||
		!strings.Contains(r.Finding.Detail, "entries after seq 5 (anchored at 2026-11-22T10:00:00Z) are missing") {
		t.Fatalf("after deleting entries 6 to 8: %+v (finding %+v), %v", r, r.Finding, err)
	}

	// New entries regrow the tail past the old head and a new checkpoint
	// agrees with them: the older checkpoint still names the rewrite.
	appendEntries(t, f, 4)
	if _, err := f.ids.WriteCheckpoint(ctx, audit.Checkpoint{Time: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if r, _ := f.ids.VerifyAudit(ctx); r.Finding == nil || r.Finding.Seq != 8 || r.Finding.Problem != audit.Altered {
		t.Fatalf("regrown tail: %+v", r.Finding)
	}

	// A forged checkpoint (signed by another key) is reported, not trusted.
	forged := audit.NewSigner([]byte("another key another key another!")).Sign(audit.Checkpoint{Seq: 10, Hash: es[7].Hash, Time: t0})
	sql(t, f, `INSERT INTO audit_checkpoints (seq, hash, at, signature) VALUES (?, ?, ?, ?)`, forged.Seq, forged.Hash, "2026-11-22T10:00:00.000000Z", forged.Signature)
	if r, _ := f.ids.VerifyAudit(ctx); r.Finding == nil || !strings.Contains(r.Finding.Detail, "does not carry this server's signature") {
		t.Fatalf("forged checkpoint: %+v", r.Finding)
	}
}

// TestCheckpointNamesRewrittenHistory: an attacker who edits an entry and
// recomputes every later hash keeps the chain linked, but the checkpoint's
// hash no longer matches its entry.
func TestCheckpointNamesRewrittenHistory(t *testing.T) {
	forEachDB(t, testCheckpointNamesRewrittenHistory)
}

func testCheckpointNamesRewrittenHistory(t *testing.T, f *fixture) {
	ctx := context.Background()
	f.ids.SetCheckpointSigner(audit.NewSigner([]byte("0123456789abcdef0123456789abcdef")))
	es := appendEntries(t, f, 4)
	if _, err := f.ids.WriteCheckpoint(ctx, audit.Checkpoint{Time: t0}); err != nil {
		t.Fatal(err)
	}
	prev := es[1].Hash
	for i := 2; i < 4; i++ {
		e := es[i]
		e.ActorID = "usr_evil"
		audit.Seal(&e, e.Seq-1, prev)
		sql(t, f, `UPDATE audit_log SET actor_id = ?, prev_hash = ?, hash = ? WHERE seq = ?`, e.ActorID, e.PrevHash, e.Hash, e.Seq)
		prev = e.Hash
	}
	r, err := f.ids.VerifyAudit(ctx)
	if err != nil || r.Finding == nil || r.Finding.Problem != audit.Altered || r.Finding.Seq != 4 {
		t.Fatalf("rewritten tail: %+v (finding %+v), %v", r, r.Finding, err)
	}
}
