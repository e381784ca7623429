package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/usecapsule/capsule/internal/identitystore"
)

// secureDataDir creates the data directory, or narrows an existing one, to
// mode 0700, and the audit archive beneath it to 0700 with 0600 files: the
// database, its WAL, the keys and the archived audit entries are readable
// by the server's user only. (The SQLite files themselves are made 0600 by
// the database package; the keys are written 0600.) A mode that was wider
// is narrowed with a warning, since the operator may have chosen it.
func (o *Options) secureDataDir() error {
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return fmt.Errorf("creating data directory: %w", err)
	}
	if err := o.narrow(o.DataDir, 0o700); err != nil {
		return err
	}
	archive := filepath.Join(o.DataDir, identitystore.ArchiveDirName)
	entries, err := os.ReadDir(archive)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", archive, err)
	}
	if err := o.narrow(archive, 0o700); err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := o.narrow(filepath.Join(archive, e.Name()), 0o600); err != nil {
				return err
			}
		}
	}
	return nil
}

// narrow sets path's permission bits to mode when they differ.
func (o *Options) narrow(path string, mode fs.FileMode) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm() == mode {
		return nil
	}
	if err := os.Chmod(path, mode); err != nil {
		return fmt.Errorf("restricting %s to mode %v: %w", path, mode, err)
	}
	o.Logger.Warn("narrowed the mode of a data file to its owner", "path", path, "was", fi.Mode().Perm().String(), "now", mode.String())
	return nil
}
