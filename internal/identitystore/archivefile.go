package identitystore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ArchiveDirName is the directory under the data directory where the
// server's retention writes its archives.
const ArchiveDirName = "audit-archive"

// ArchiveAuditToFile is ArchiveAudit into a new file at path (mode 0600; an
// existing file is never overwritten). The file is created even when
// nothing is old enough, so a scripted run always leaves its output; it is
// synced, closed and its directory synced before any row is removed.
// `capsule audit archive --out` uses it.
func (s *Store) ArchiveAuditToFile(ctx context.Context, before time.Time, path string) (ArchiveResult, error) {
	f, err := createArchiveFile(path)
	if err != nil {
		return ArchiveResult{}, err
	}
	closed := false
	res, err := s.archiveAudit(ctx, before, func(int64, int64) (io.Writer, func() error, error) {
		return f, func() error { closed = true; return closeDurably(f) }, nil
	})
	if !closed {
		if cerr := closeDurably(f); err == nil {
			err = cerr
		}
	}
	return res, err
}

// ArchiveAuditToDir is ArchiveAudit into dir/audit-<first>-<last>.jsonl,
// named by the sequence numbers of the first and last archived entry, with
// the same file handling as ArchiveAuditToFile (the server's retention uses
// it). dir is created (0700) when missing; no file is written when nothing
// is old enough. It returns the file's path, empty when nothing was archived.
// A file of that name left by a run that stopped after writing it but before
// removing the rows is accepted when it holds exactly the same entries, so
// such a crash cannot block retention for ever.
func (s *Store) ArchiveAuditToDir(ctx context.Context, before time.Time, dir string) (ArchiveResult, string, error) {
	var path string
	res, err := s.archiveAudit(ctx, before, func(first, last int64) (io.Writer, func() error, error) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, nil, fmt.Errorf("creating the archive directory: %w", err)
		}
		path = filepath.Join(dir, fmt.Sprintf("audit-%d-%d.jsonl", first, last))
		f, err := createArchiveFile(path)
		if errors.Is(err, fs.ErrExist) {
			var same bytes.Buffer
			return &same, func() error { return sameContent(path, same.Bytes()) }, nil
		}
		if err != nil {
			return nil, nil, err
		}
		return f, func() error { return closeDurably(f) }, nil
	})
	if res.Archived == 0 {
		path = ""
	}
	return res, path, err
}

// sameContent accepts an existing archive only when it holds want.
func sameContent(path string, want []byte) error {
	got, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("%s already exists with other entries; move it away to continue", path)
	}
	return nil
}

// createArchiveFile creates a new archive file readable only by its owner:
// audit entries name people, addresses and actions.
func createArchiveFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating the archive %s: %w", path, err)
	}
	return f, nil
}

// closeDurably syncs and closes f, then syncs its directory so that the
// new file's name survives a crash too.
func closeDurably(f *os.File) error {
	err := errors.Join(f.Sync(), f.Close())
	if err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(f.Name()))
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
