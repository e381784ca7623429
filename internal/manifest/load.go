package manifest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// MaxFileSize is the largest manifest file Load reads (10 MiB).
const MaxFileSize = 10 << 20

// Load reads the objects in the given YAML/JSON files or directories
// (recursively). On any problem it returns no objects and a LoadErrors value
// listing every problem found, each naming its file and document.
func Load(paths ...string) ([]Object, error) {
	l := &loader{seen: map[ID]Object{}}
	for _, p := range paths {
		l.path(p, p, nil, true)
	}
	if len(l.errs) > 0 {
		return nil, l.errs
	}
	return l.objs, nil
}

// Parse reads the objects of one file's content; name is used in errors and
// as Object.File. It applies the same checks as Load.
func Parse(name string, data []byte) ([]Object, error) {
	l := &loader{seen: map[ID]Object{}}
	l.content(name, data)
	if len(l.errs) > 0 {
		return nil, l.errs
	}
	return l.objs, nil
}

// loader accumulates objects and problems across files, so that duplicates
// across files are found and every problem is reported at once.
type loader struct {
	objs []Object
	seen map[ID]Object
	errs LoadErrors
}

func (l *loader) fail(file string, doc, item int, err error) {
	l.errs = append(l.errs, &Error{File: file, Doc: doc, Item: item, Err: err})
}

// path loads p, which is shown to users as display. ancestors holds the real
// paths of the directories being walked, to detect symlink loops. explicit is
// true for paths the user named, which are read whatever their extension.
func (l *loader) path(p, display string, ancestors []string, explicit bool) {
	info, err := os.Stat(p) // follows links on purpose
	if err != nil {
		if isLoop(err) {
			err = ErrSymlinkLoop
		}
		l.fail(display, -1, -1, err)
		return
	}
	if !info.IsDir() {
		if explicit || hasManifestExt(p) {
			l.file(p, display, info)
		}
		return
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		l.fail(display, -1, -1, err)
		return
	}
	for _, a := range ancestors {
		if a == real {
			l.fail(display, -1, -1, fmt.Errorf("%w: leads back to %s", ErrSymlinkLoop, a))
			return
		}
	}
	l.dir(p, display, append(ancestors, real))
}

func (l *loader) dir(p, display string, ancestors []string) {
	entries, err := os.ReadDir(p)
	if err != nil {
		l.fail(display, -1, -1, err)
		return
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		l.path(filepath.Join(p, e.Name()), filepath.Join(display, e.Name()), ancestors, false)
	}
}

func (l *loader) file(p, display string, info os.FileInfo) {
	if info.Size() > MaxFileSize {
		l.fail(display, -1, -1, fmt.Errorf("%w (%d bytes)", ErrTooLarge, info.Size()))
		return
	}
	f, err := os.Open(p)
	if err != nil {
		l.fail(display, -1, -1, err)
		return
	}
	defer f.Close()
	// Read one byte past the limit: the file may have grown since Stat.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		l.fail(display, -1, -1, err)
		return
	}
	if len(data) > MaxFileSize {
		l.fail(display, -1, -1, ErrTooLarge)
		return
	}
	l.content(display, data)
}

func hasManifestExt(p string) bool {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func isLoop(err error) bool { return errors.Is(err, syscall.ELOOP) }
