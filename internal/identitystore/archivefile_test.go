package identitystore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identitystore"
)

// TestArchiveAuditToDir: the archive is named by its first and last seq; a
// file of that name left by an interrupted run is accepted only when it
// holds the same entries, and otherwise nothing is removed.
func TestArchiveAuditToDir(t *testing.T) { forEachDB(t, testArchiveAuditToDir) }

func testArchiveAuditToDir(t *testing.T, f *fixture) {
	ctx := context.Background()
	for i := range 4 {
		e := &audit.Entry{Time: t0.Add(time.Duration(i) * time.Hour), ActorType: audit.ActorSystem, Action: "tick", Outcome: audit.OutcomeSuccess}
		if err := f.ids.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	all, err := f.ids.ListAudit(ctx, identitystore.AuditFilter{Limit: 1000})
	if err != nil || len(all) != 4 {
		t.Fatalf("ListAudit: %d entries, %v", len(all), err)
	}
	var want bytes.Buffer
	for i := range 3 {
		json.NewEncoder(&want).Encode(&all[i])
	}
	dir := filepath.Join(t.TempDir(), identitystore.ArchiveDirName)
	path := filepath.Join(dir, "audit-1-3.jsonl")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(path, []byte("{}\n"), 0o600)
	before := t0.Add(2*time.Hour + time.Minute)
	if _, _, err := f.ids.ArchiveAuditToDir(ctx, before, dir); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("a different file of the same name: err %v, want it named", err)
	}
	if v, err := f.ids.VerifyAudit(ctx); err != nil || v.Checked != 4 {
		t.Fatalf("rows removed after a failed archive: %+v, %v", v, err)
	}
	// As an interrupted run would have left it: written, rows not removed.
	os.WriteFile(path, want.Bytes(), 0o600)
	res, got, err := f.ids.ArchiveAuditToDir(ctx, before, dir)
	if err != nil || res.Archived != 3 || got != path {
		t.Fatalf("ArchiveAuditToDir = %+v %q, %v", res, got, err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, want.Bytes()) {
		t.Errorf("archive content changed:\n%s", b)
	}
	if v, err := f.ids.VerifyAudit(ctx); err != nil || v.Finding != nil || v.Checked != 1 {
		t.Fatalf("remaining log: %+v, %v", v, err)
	}
	// Nothing old enough: no file.
	if res, got, err := f.ids.ArchiveAuditToDir(ctx, before, dir); err != nil || res.Archived != 0 || got != "" {
		t.Errorf("second run = %+v %q, %v", res, got, err)
	}
}
