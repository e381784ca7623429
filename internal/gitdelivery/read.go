package gitdelivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/usecapsule/capsule/internal/gitprovider"
)

// MaxReadBytes bounds the files ReadPath returns in total.
const MaxReadBytes = 64 << 20

// ReadPath returns the files under t.Path at the head of t.Branch, by path
// relative to t.Path, and that commit: an environment's desired state as
// Git holds it. The clone is shallow (one commit). A path that does not
// exist yet (an environment never delivered) is an empty set, not an error.
func (d *Deliverer) ReadPath(ctx context.Context, t GitTarget) (map[string][]byte, string, error) {
	if err := checkTarget(t); err != nil {
		return nil, "", err
	}
	rem, err := d.parseRemote(t)
	if err != nil {
		return nil, "", err
	}
	ctx = withClient(ctx, d.cfg.Client)
	opts := &git.CloneOptions{
		URL: rem.url, Auth: rem.auth, ReferenceName: plumbing.NewBranchReferenceName(t.Branch),
		SingleBranch: true, NoCheckout: true, Tags: git.NoTags, Depth: 1,
	}
	repo, err := git.CloneContext(ctx, memory.NewStorage(), nil, opts)
	if err != nil {
		return nil, "", rem.fail(t.Branch, "clone", err)
	}
	ref, err := repo.Head()
	if err != nil {
		return nil, "", rem.fail(t.Branch, "resolve", err)
	}
	c, err := repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, "", rem.fail(t.Branch, "read commit", err)
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, "", rem.fail(t.Branch, "read tree", err)
	}
	if p := cleanPath(t.Path); p != "" {
		tree, err = tree.Tree(p)
		if errors.Is(err, object.ErrDirectoryNotFound) {
			return map[string][]byte{}, c.Hash.String(), nil
		}
		if err != nil {
			return nil, "", rem.fail(t.Branch, "read "+p, err)
		}
	}
	files, err := readTree(tree)
	if err != nil {
		return nil, "", rem.fail(t.Branch, "read "+cleanPath(t.Path), err)
	}
	return files, c.Hash.String(), nil
}

func readTree(tree *object.Tree) (map[string][]byte, error) {
	out := map[string][]byte{}
	var total int64
	err := tree.Files().ForEach(func(f *object.File) error {
		if !f.Mode.IsFile() {
			return nil // submodules and symbolic links are not manifests
		}
		total += f.Size
		if total > MaxReadBytes {
			return fmt.Errorf("more than %d bytes of files", MaxReadBytes)
		}
		r, err := f.Reader()
		if err != nil {
			return err
		}
		defer func() { _ = r.Close() }()
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		out[f.Name] = data
		return nil
	})
	return out, err
}

// State is the pull request's state: open, merged or closed (pushed for a
// plain remote, which has none).
func (d *Deliverer) State(ctx context.Context, t GitTarget, prURL string) (string, error) {
	if err := checkTarget(t); err != nil {
		return "", err
	}
	if t.Provider == "git" {
		return gitprovider.StatePushed, nil
	}
	rem, err := d.parseRemote(t)
	if err != nil {
		return "", err
	}
	repo, err := gitprovider.ParseRepoURL(t.Provider, rem.url, d.cfg.APIBases[hostOf(rem.url)])
	if err != nil {
		return "", err
	}
	pr, err := gitprovider.ParsePRURL(repo, strings.TrimSpace(prURL))
	if err != nil {
		return "", err
	}
	p, err := gitprovider.New(t.Provider, gitprovider.Options{Client: d.api, Token: t.Token})
	if err != nil {
		return "", err
	}
	st, err := p.State(ctx, pr)
	if err != nil {
		return "", rem.fail(t.Branch, "pull request state", err)
	}
	return st, nil
}
