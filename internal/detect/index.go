package detect

import (
	"bytes"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// skipDirs are never walked: dependency caches, VCS metadata and build
// output. Reading them would be slow and their manifests are not the app's.
var skipDirs = map[string]bool{
	"node_modules": true, "vendor": true, ".git": true, "target": true,
	".next": true, ".nuxt": true, ".output": true, ".svelte-kit": true,
	".venv": true, "venv": true, "__pycache__": true, ".tox": true,
	".gradle": true, "_build": true, "deps": true, ".turbo": true,
	".cache": true, "bower_components": true, ".hg": true, ".svn": true,
	".idea": true, ".vscode": true, "coverage": true, ".angular": true,
	".docusaurus": true, ".parcel-cache": true, "obj": true, "dist": true,
	"testdata": true, // Go never builds it; fixtures there are not the app
}

// Index is a lightweight in-memory view of a repository: the paths of its
// files and directories, walked once, with contents read lazily and cached.
// Detectors query it instead of touching the file system themselves.
type Index struct {
	fsys     fs.FS
	maxSize  int64
	maxDepth int
	files    map[string]int64 // path -> size
	dirs     map[string][]string
	cache    map[string][]byte
	skipped  []string
}

// newIndex walks fsys once. Symbolic links are not followed as directories
// (fs.WalkDir never does), which is what makes symlink loops harmless.
func newIndex(fsys fs.FS, opts Options) (*Index, error) {
	ix := &Index{
		fsys: fsys, maxSize: opts.maxFileSize(), maxDepth: opts.maxDepth(),
		files: map[string]int64{}, dirs: map[string][]string{}, cache: map[string][]byte{},
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			ix.skipped = append(ix.skipped, p+" (unreadable)")
			return nil // an unreadable entry is skipped, never fatal
		}
		return ix.visit(p, d)
	})
	if err != nil {
		return nil, err
	}
	for _, list := range ix.dirs {
		sort.Strings(list)
	}
	return ix, nil
}

func (ix *Index) visit(p string, d fs.DirEntry) error {
	if d.IsDir() {
		if p != "." && (skipDirs[d.Name()] || strings.Count(p, "/") >= ix.maxDepth) {
			return fs.SkipDir
		}
		if _, ok := ix.dirs[p]; !ok {
			ix.dirs[p] = nil
		}
		if p != "." {
			parent := path.Dir(p)
			ix.dirs[parent] = append(ix.dirs[parent], d.Name()+"/")
		}
		return nil
	}
	if d.Type()&fs.ModeSymlink != 0 {
		// A link may point at a directory or loop; only regular targets are
		// read later, and a failed read just means the file is absent.
		ix.files[p] = -1
	} else if d.Type().IsRegular() {
		info, err := d.Info()
		if err != nil {
			return nil
		}
		ix.files[p] = info.Size()
	} else {
		return nil
	}
	parent := path.Dir(p)
	ix.dirs[parent] = append(ix.dirs[parent], d.Name())
	return nil
}

// Has reports whether the file p exists (even if too large to read).
func (ix *Index) Has(p string) bool {
	_, ok := ix.files[p]
	return ok
}

// IsDir reports whether p is a directory that was walked.
func (ix *Index) IsDir(p string) bool {
	_, ok := ix.dirs[p]
	return ok
}

// List returns the entries of directory dir, sorted; directories end in "/".
func (ix *Index) List(dir string) []string { return ix.dirs[dir] }

// Read returns the contents of p, or false when it is absent, larger than
// the limit, unreadable (a dangling or looping link) or binary.
func (ix *Index) Read(p string) ([]byte, bool) {
	if b, ok := ix.cache[p]; ok {
		return b, b != nil
	}
	size, ok := ix.files[p]
	if !ok || size > ix.maxSize {
		return nil, false
	}
	b, err := fs.ReadFile(ix.fsys, p)
	if err != nil || int64(len(b)) > ix.maxSize || isBinary(b) {
		ix.cache[p] = nil
		return nil, false
	}
	ix.cache[p] = b
	return b, true
}

// ReadString is Read as a string ("" when unreadable).
func (ix *Index) ReadString(p string) string {
	b, _ := ix.Read(p)
	return string(b)
}

// isBinary treats a NUL byte in the first 8 KiB as the mark of a binary
// file, as git does.
func isBinary(b []byte) bool {
	if len(b) > 8192 {
		b = b[:8192]
	}
	return bytes.IndexByte(b, 0) >= 0
}

// Walk calls fn for every file under dir (recursively, sorted by path)
// whose name ends in one of exts; it stops when fn returns false.
func (ix *Index) Walk(dir string, exts []string, fn func(p string) bool) {
	for _, e := range ix.List(dir) {
		full := join(dir, strings.TrimSuffix(e, "/"))
		if strings.HasSuffix(e, "/") {
			ok := true
			ix.Walk(full, exts, func(p string) bool { ok = fn(p); return ok })
			if !ok {
				return
			}
			continue
		}
		for _, x := range exts {
			if strings.HasSuffix(e, x) {
				if !fn(full) {
					return
				}
				break
			}
		}
	}
}

// join is path.Join that treats "." as the root.
func join(dir, name string) string {
	if name == "." || name == "" {
		return dir
	}
	if dir == "." || dir == "" {
		return name
	}
	return dir + "/" + name
}
