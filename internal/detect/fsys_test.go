package detect

import (
	"io/fs"
	"path"
	"slices"
)

// withoutGolden hides expected.json so that the golden file cannot
// influence the detection of its own fixture.
type withoutGolden struct{ fs.FS }

func (w withoutGolden) Open(name string) (fs.File, error) {
	if path.Base(name) == "expected.json" && path.Dir(name) == "." {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return w.FS.Open(name)
}

// ReadDir hides expected.json from directory listings too.
func (w withoutGolden) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := fs.ReadDir(w.FS, name)
	if name == "." {
		es = slices.DeleteFunc(es, func(e fs.DirEntry) bool { return e.Name() == "expected.json" })
	}
	return es, err
}
