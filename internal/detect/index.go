package detect

import (
	"bytes"
	"io"
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
	files    map[string]bool
	budget   int64 // bytes that may still be read, bounding work on huge repositories
	dirs     map[string][]string
	cache    map[string][]byte
	skipped  []string
}

// newIndex walks fsys once. Symbolic links are not followed as directories
// (fs.WalkDir never does), which is what makes symlink loops harmless.
func newIndex(fsys fs.FS, opts Options) (*Index, error) {
	ix := &Index{
		fsys: fsys, maxSize: opts.maxFileSize(), maxDepth: opts.maxDepth(),
		files: map[string]bool{}, dirs: map[string][]string{}, cache: map[string][]byte{},
		budget: readBudget,
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
	// A link may point at a directory or loop; only regular targets are
	// read later, and a failed read just means the file is absent. Sizes
	// are checked when a file is read, which saves a stat per file.
	if d.Type()&fs.ModeSymlink == 0 && !d.Type().IsRegular() {
		return nil
	}
	ix.files[p] = true
	parent := path.Dir(p)
	ix.dirs[parent] = append(ix.dirs[parent], d.Name())
	return nil
}

// Has reports whether the file p exists (even if too large to read).
func (ix *Index) Has(p string) bool { return ix.files[p] }

// IsDir reports whether p is a directory that was walked.
func (ix *Index) IsDir(p string) bool {
	_, ok := ix.dirs[p]
	return ok
}

// List returns the entries of directory dir, sorted; directories end in "/".
func (ix *Index) List(dir string) []string { return ix.dirs[dir] }

// Read returns the contents of p, or false when it is absent, larger than
// the limit, unreadable (a dangling or looping link) or binary.
func (ix *Index) Read(p string) ([]byte, bool) { return ix.read(p, ix.maxSize) }

// sourceLimit bounds source files scanned for ports and routes: larger ones
// are generated code, and reading them would only cost time.
const sourceLimit = 256 << 10

// readBudget bounds the bytes one detection reads in total.
const readBudget = 64 << 20

// Source is Read for a source file scanned for hints (at most 256 KiB).
func (ix *Index) Source(p string) string {
	b, _ := ix.read(p, min(sourceLimit, ix.maxSize))
	return string(b)
}

func (ix *Index) read(p string, limit int64) ([]byte, bool) {
	if b, ok := ix.cache[p]; ok {
		return b, b != nil && int64(len(b)) <= limit
	}
	if !ix.files[p] || ix.budget <= 0 {
		return nil, false
	}
	f, err := ix.fsys.Open(p)
	if err != nil {
		ix.cache[p] = nil
		return nil, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() > ix.maxSize {
		ix.cache[p] = nil
		return nil, false
	}
	if st.Size() > limit {
		return nil, false // may still be read later with a larger limit
	}
	b, err := io.ReadAll(io.LimitReader(f, ix.maxSize+1))
	ix.budget -= int64(len(b))
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
