package gitdelivery

import (
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// maxBranchWalk bounds how many commits of a promotion branch are read
// looking for a person's edits.
const maxBranchWalk = 500

// isCapsuleCommit tells Capsule's own commits for this promotion by their
// trailer.
func isCapsuleCommit(c *object.Commit, id string) bool {
	for _, line := range strings.Split(c.Message, "\n") {
		if strings.TrimSpace(line) == "Capsule-Promotion-Id: "+id {
			return true
		}
	}
	return false
}

// humanChanges lists the files changed by commits on the promotion branch
// that Capsule did not write (a person's fix-up on the pull request),
// walking back until the commits the base branch already has.
func (w *workspace) humanChanges(id string, tip plumbing.Hash) (map[string]bool, error) {
	out := map[string]bool{}
	if w.prTip.IsZero() {
		return out, nil
	}
	tipCommit, err := w.repo.CommitObject(tip)
	if err != nil {
		return nil, w.rem.fail(w.base, "reading the branch head", err)
	}
	seen := map[plumbing.Hash]bool{}
	queue := []plumbing.Hash{w.prTip}
	for len(queue) > 0 && len(seen) < maxBranchWalk {
		h := queue[0]
		queue = queue[1:]
		if seen[h] {
			continue
		}
		seen[h] = true
		c, err := w.repo.CommitObject(h)
		if err != nil {
			return nil, w.rem.fail(w.branch, "reading the branch history", err)
		}
		if onBase, err := c.IsAncestor(tipCommit); err != nil {
			return nil, w.rem.fail(w.branch, "reading the branch history", err)
		} else if onBase {
			continue
		}
		queue = append(queue, c.ParentHashes...)
		if isCapsuleCommit(c, id) {
			continue
		}
		var parent plumbing.Hash
		if len(c.ParentHashes) > 0 {
			parent = c.ParentHashes[0]
		}
		files, err := w.changed(parent, h)
		if err != nil {
			return nil, err
		}
		for f := range files {
			out[f] = true
		}
	}
	return out, nil
}

// changed lists the paths that differ between two commits' trees (a zero
// hash is the empty tree).
func (w *workspace) changed(a, b plumbing.Hash) (map[string]bool, error) {
	out := map[string]bool{}
	if a == b {
		return out, nil
	}
	ta, err := w.tree(a)
	if err != nil {
		return nil, err
	}
	tb, err := w.tree(b)
	if err != nil {
		return nil, err
	}
	changes, err := object.DiffTree(ta, tb)
	if err != nil {
		return nil, w.rem.fail(w.base, "comparing commits", err)
	}
	for _, c := range changes {
		if c.From.Name != "" {
			out[c.From.Name] = true
		}
		if c.To.Name != "" {
			out[c.To.Name] = true
		}
	}
	return out, nil
}

func (w *workspace) tree(h plumbing.Hash) (*object.Tree, error) {
	if h.IsZero() {
		return &object.Tree{}, nil
	}
	c, err := w.repo.CommitObject(h)
	if err != nil {
		return nil, w.rem.fail(w.base, "reading commit "+h.String(), err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, w.rem.fail(w.base, "reading commit "+h.String(), err)
	}
	return t, nil
}

// conflicts lists the paths the delivery writes or removes that were also
// changed upstream (between what the files were rendered against and the
// base's head) or by a person on the promotion branch, where the delivery
// would leave them different from what that change made them. A path both
// sides set to the same content is no conflict.
func (w *workspace) conflicts(commit plumbing.Hash, touched []string, upstream map[string]bool, tip plumbing.Hash, human map[string]bool) ([]string, error) {
	if len(upstream) == 0 && len(human) == 0 {
		return nil, nil
	}
	mine, err := w.tree(commit)
	if err != nil {
		return nil, err
	}
	tipTree, err := w.tree(tip)
	if err != nil {
		return nil, err
	}
	prTree, err := w.tree(w.prTip)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, p := range touched {
		if upstream[p] && fileHash(mine, p) != fileHash(tipTree, p) {
			out[p] = true
		}
		if human[p] && fileHash(mine, p) != fileHash(prTree, p) {
			out[p] = true
		}
	}
	return sorted(out), nil
}

// fileHash is a path's blob in a tree, zero when absent.
func fileHash(t *object.Tree, p string) plumbing.Hash {
	e, err := t.FindEntry(p)
	if err != nil {
		return plumbing.ZeroHash
	}
	return e.Hash
}
