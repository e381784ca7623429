package server

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/usecapsule/capsule/internal/identitystore"
)

// TestDataFilesOwnerOnly: whatever the umask and whatever modes an older
// installation left, the data directory and the audit archive are 0700 and
// the database, its WAL and shared memory and the archives 0600.
func TestDataFilesOwnerOnly(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	archive := filepath.Join(dir, identitystore.ArchiveDirName)
	if err := os.MkdirAll(archive, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	if err := os.WriteFile(filepath.Join(archive, "audit-1-2.jsonl"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := start(t, dir, map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword})
	login(t, s.addr, "owner@example.com", testPassword) // a write: the WAL exists
	want := map[string]fs.FileMode{
		dir: 0o700, archive: 0o700, filepath.Join(archive, "audit-1-2.jsonl"): 0o600,
		filepath.Join(dir, "capsule.db"): 0o600, filepath.Join(dir, "capsule.db-wal"): 0o600, filepath.Join(dir, "capsule.db-shm"): 0o600,
	}
	for path, mode := range want {
		fi, err := os.Stat(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), mode)
		}
	}
}
