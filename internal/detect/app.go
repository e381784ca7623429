package detect

import (
	"fmt"
	"path"
	"strings"
)

// App is one candidate application directory, as a detector sees it.
type App struct {
	ix *Index
	// Dir is the directory relative to the repository root ("." for it).
	Dir string
	// Workspace is set when the directory is a member of a monorepo.
	Workspace *Workspace
	signals   []string
}

// Path returns the repository-relative path of name inside the app.
func (a *App) Path(name string) string { return join(a.Dir, name) }

// Has reports whether the app directory holds file name.
func (a *App) Has(name string) bool { return a.ix.Has(a.Path(name)) }

// HasDir reports whether the app directory holds directory name.
func (a *App) HasDir(name string) bool { return a.ix.IsDir(a.Path(name)) }

// Read returns the contents of file name in the app (see Index.Read).
func (a *App) Read(name string) ([]byte, bool) { return a.ix.Read(a.Path(name)) }

// ReadString returns the contents of file name, "" when unreadable.
func (a *App) ReadString(name string) string { return a.ix.ReadString(a.Path(name)) }

// Source returns source file name for hint scanning (see Index.Source).
func (a *App) Source(name string) string { return a.ix.Source(a.Path(name)) }

// List returns the entries of sub-directory dir of the app.
func (a *App) List(dir string) []string { return a.ix.List(a.Path(dir)) }

// First returns the first of names that exists in the app, or "".
func (a *App) First(names ...string) string {
	for _, n := range names {
		if a.Has(n) {
			return n
		}
	}
	return ""
}

// FilesWithExt lists the app's files (relative to the app, sorted, at most
// limit) under sub-directory dir whose names end in ext.
func (a *App) FilesWithExt(dir string, limit int, exts ...string) []string {
	var out []string
	prefix := a.Dir + "/"
	a.ix.Walk(a.Path(dir), exts, func(p string) bool {
		if a.Dir != "." {
			p = strings.TrimPrefix(p, prefix)
		}
		out = append(out, p)
		return len(out) < limit
	})
	return out
}

// Signal records a fact that led to the app's detection.
func (a *App) Signal(format string, args ...any) {
	a.signals = append(a.signals, fmt.Sprintf(format, args...))
}

// base returns the directory's own name.
func (a *App) base() string { return path.Base(a.Dir) }

// Manifest is Read for a manifest. A file that is present but cannot be
// read (over the size limit, binary, a dangling link, no permission) comes
// back as present, empty, with a warning naming it: the detector goes on as
// for a manifest it cannot parse instead of missing the app.
func (a *App) Manifest(name string) (b []byte, ok bool, warning string) {
	if b, ok := a.Read(name); ok {
		return b, true, ""
	}
	if !a.Has(name) {
		return nil, false, ""
	}
	return nil, true, "warning: " + a.Path(name) + ": cannot be read (over the size limit, binary, a dangling link or no permission); the file is ignored: what only it declares is unknown"
}
