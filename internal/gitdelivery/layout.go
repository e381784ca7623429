package gitdelivery

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-billy/v5"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/types"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// ManagedList is the file, beside the files Capsule writes, that lists
// them. Capsule removes a file only when an earlier delivery listed it
// there and the new one no longer renders it: a file a person wrote is
// never in the list, so it is never removed.
const ManagedList = ".capsule-managed"

// OverlayDir is the sub-directory Capsule owns when the target path is a
// Kustomize directory: its files go there, with a kustomization of their
// own, and the person's kustomization gets one resource entry for it.
const OverlayDir = "capsule"

const managedHeader = "# Files written by Capsule. It removes a listed file when a promotion no longer renders it;\n# files not listed here are never touched.\n"

// layoutResult is what applying a delivery's files changed.
type layoutResult struct {
	written []string // repository paths written (created or updated)
	removed []string // repository paths removed
}

// touched is every path the layout wrote or removed.
func (l layoutResult) touched() []string {
	return append(append([]string(nil), l.written...), l.removed...)
}

// applyLayout writes files under base in fs. When base holds a
// kustomization, the files go to base/capsule with their own
// kustomization, and base's kustomization lists "capsule" (edited with
// kyaml, so the person's comments and order stay); otherwise they go to
// base itself. Files that an earlier delivery wrote and this one does not
// are removed.
func applyLayout(fs billy.Filesystem, base string, files map[string][]byte) (layoutResult, error) {
	var res layoutResult
	kfile := findKustomization(fs, base)
	dir := base
	if kfile != "" {
		dir = path.Join(base, OverlayDir)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	if kfile != "" && len(names) > 0 {
		for _, n := range konfig.RecognizedKustomizationFileNames() {
			if _, clash := files[n]; clash {
				return res, fmt.Errorf("file %s would replace the kustomization Capsule writes in %s/%s", n, base, OverlayDir)
			}
		}
		k, err := overlayKustomization(names)
		if err != nil {
			return res, err
		}
		files = withFile(files, konfig.DefaultKustomizationFileName(), k)
		names = append(names, konfig.DefaultKustomizationFileName())
		sort.Strings(names)
	}
	old, err := readManaged(fs, path.Join(dir, ManagedList))
	if err != nil {
		return res, err
	}
	keep := map[string]bool{}
	for _, n := range names {
		keep[n] = true
	}
	for _, n := range old {
		if keep[n] {
			continue
		}
		p := path.Join(dir, n)
		err := fs.Remove(p)
		if errors.Is(err, os.ErrNotExist) {
			continue // already gone: someone removed it by hand
		}
		if err != nil {
			return res, fmt.Errorf("removing %s: %v", p, err)
		}
		res.removed = append(res.removed, p)
	}
	for _, n := range names {
		p := path.Join(dir, n)
		if err := writeFile(fs, p, files[n]); err != nil {
			return res, err
		}
		res.written = append(res.written, p)
	}
	list := managedHeader + strings.Join(names, "\n") + "\n"
	if err := writeFile(fs, path.Join(dir, ManagedList), []byte(list)); err != nil {
		return res, err
	}
	res.written = append(res.written, path.Join(dir, ManagedList))
	if kfile != "" {
		changed, err := listOverlay(fs, kfile)
		if err != nil {
			return res, err
		}
		if changed {
			res.written = append(res.written, kfile)
		}
	}
	return res, nil
}

func withFile(files map[string][]byte, name string, data []byte) map[string][]byte {
	out := make(map[string][]byte, len(files)+1)
	for k, v := range files {
		out[k] = v
	}
	out[name] = data
	return out
}

// findKustomization returns base's kustomization file, if any.
func findKustomization(fs billy.Filesystem, base string) string {
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		p := path.Join(base, n)
		if fi, err := fs.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

// overlayKustomization lists Capsule's manifests as resources.
func overlayKustomization(names []string) ([]byte, error) {
	k := types.Kustomization{TypeMeta: types.TypeMeta{APIVersion: types.KustomizationVersion, Kind: types.KustomizationKind}}
	for _, n := range names {
		if strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".json") {
			k.Resources = append(k.Resources, n)
		}
	}
	out, err := sigsyaml.Marshal(k)
	if err != nil {
		return nil, fmt.Errorf("writing %s/%s: %v", OverlayDir, konfig.DefaultKustomizationFileName(), err)
	}
	return append([]byte("# Written by Capsule: the manifests of the last promotion.\n"), out...), nil
}

// listOverlay makes the person's kustomization list Capsule's directory
// among its resources; it reports whether the file changed.
func listOverlay(fs billy.Filesystem, kfile string) (bool, error) {
	data, err := readFile(fs, kfile)
	if err != nil {
		return false, err
	}
	node, err := kyaml.Parse(string(data))
	if err != nil {
		return false, fmt.Errorf("%s is not valid YAML: %v", kfile, err)
	}
	seq, err := node.Pipe(kyaml.LookupCreate(kyaml.SequenceNode, "resources"))
	if err != nil || seq == nil || seq.YNode().Kind != kyaml.SequenceNode {
		return false, fmt.Errorf("%s: its resources are not a list", kfile)
	}
	for _, e := range seq.YNode().Content {
		if strings.TrimSuffix(strings.TrimPrefix(e.Value, "./"), "/") == OverlayDir {
			return false, nil
		}
	}
	seq.YNode().Content = append(seq.YNode().Content, kyaml.NewScalarRNode(OverlayDir).YNode())
	out, err := node.String()
	if err != nil {
		return false, fmt.Errorf("%s: %v", kfile, err)
	}
	return true, writeFile(fs, kfile, []byte(out))
}

// readManaged reads the list an earlier delivery left; lines that are
// not plain relative names are ignored rather than obeyed.
func readManaged(fs billy.Filesystem, p string) ([]string, error) {
	data, err := readFile(fs, p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || checkName(line) != nil {
			continue
		}
		out = append(out, line)
	}
	return out, nil
}

// checkName refuses a file name that would leave the target directory or
// reach Git's or Capsule's own files.
func checkName(n string) error {
	switch {
	case n == "" || strings.ContainsAny(n, "\\\x00\n\r"):
		return errors.New("is empty or holds a backslash, NUL or line break")
	case path.IsAbs(n) || path.Clean(n) != n || n == "." || n == ".." || strings.HasPrefix(n, "../"):
		return errors.New("is not a clean relative path")
	case n == ManagedList:
		return errors.New("is Capsule's own list of managed files")
	}
	for _, seg := range strings.Split(n, "/") {
		if strings.EqualFold(seg, ".git") {
			return errors.New("is inside .git")
		}
	}
	return nil
}

func readFile(fs billy.Filesystem, p string) ([]byte, error) {
	f, err := fs.Open(p)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	return io.ReadAll(f)
}

func writeFile(fs billy.Filesystem, p string, data []byte) error {
	if err := fs.MkdirAll(path.Dir(p), 0o755); err != nil {
		return fmt.Errorf("creating %s: %v", path.Dir(p), err)
	}
	f, err := fs.OpenFile(p, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("writing %s: %v", p, err)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("writing %s: %v", p, err)
	}
	return f.Close()
}
