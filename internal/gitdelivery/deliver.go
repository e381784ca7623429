package gitdelivery

import (
	"context"
	"errors"
	"fmt"
	"sort"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/usecapsule/capsule/internal/gitprovider"
)

// maxRebases bounds how often a delivery is re-applied because the base
// branch moved while it was being built.
const maxRebases = 3

// Deliver commits req.Files on capsule/promotion-<id>, pushes it and opens
// or updates the pull request with the preview comment. Re-delivering the
// same promotion moves the same branch (with a lease on what it saw) and
// edits the same pull request and comment. When the base branch moved
// and changed a file the delivery writes, or a person changed one on the
// promotion branch, the result lists Conflicts and nothing is pushed.
func (d *Deliverer) Deliver(ctx context.Context, req GitDelivery) (GitResult, error) {
	if err := req.check(); err != nil {
		return GitResult{}, err
	}
	rem, err := d.parseRemote(req.Target)
	if err != nil {
		return GitResult{}, err
	}
	if rem.local && req.Target.Provider != "git" {
		return GitResult{}, fmt.Errorf("gitdelivery: repository %s is local: it has no %s pull requests (use provider git)", rem.url, req.Target.Provider)
	}
	release, err := d.acquire(ctx, hostOf(rem.url))
	if err != nil {
		return GitResult{}, err
	}
	defer release()
	ctx = withClient(ctx, d.cfg.Client)

	res := GitResult{Branch: BranchPrefix + req.PromotionID}
	w, err := d.prepare(ctx, rem, req)
	if err != nil {
		return res, err
	}
	commit, conflicts, err := w.commitAndPush(ctx, req)
	if err != nil {
		return res, err
	}
	if len(conflicts) > 0 {
		res.Conflicts = conflicts
		return res, nil
	}
	res.Commit = commit.String()
	if req.Target.Provider == "git" {
		res.PRState = gitprovider.StatePushed
		return res, nil
	}
	pr, err := d.pullRequest(ctx, rem, req, res.Branch)
	if err != nil {
		return res, err
	}
	res.PRURL, res.PRState = pr.URL, pr.State
	return res, nil
}

// pullRequest opens or updates the pull request and its preview comment.
func (d *Deliverer) pullRequest(ctx context.Context, rem remote, req GitDelivery, branch string) (gitprovider.PR, error) {
	t := req.Target
	p, err := gitprovider.New(t.Provider, gitprovider.Options{Client: d.api, Token: t.Token})
	if err != nil {
		return gitprovider.PR{}, rem.fail(branch, "provider", err)
	}
	repo, err := gitprovider.ParseRepoURL(t.Provider, rem.url, d.cfg.APIBases[hostOf(rem.url)])
	if err != nil {
		return gitprovider.PR{}, rem.fail(branch, "provider", err)
	}
	pr, err := p.OpenOrUpdatePR(ctx, repo, branch, t.Branch, req.Title, prBody(req))
	if err != nil {
		return gitprovider.PR{}, rem.fail(branch, "opening the pull request", err)
	}
	if req.Body != "" {
		if err := p.UpsertComment(ctx, pr, gitprovider.Marker, req.Body); err != nil {
			return pr, rem.fail(branch, "writing the preview comment", err)
		}
	}
	return pr, nil
}

// workspace is one delivery's in-memory clone.
type workspace struct {
	d      *Deliverer
	rem    remote
	repo   *git.Repository
	base   string        // target branch
	branch string        // promotion branch
	from   plumbing.Hash // what the files were rendered against
	prTip  plumbing.Hash // the promotion branch's head, zero when absent
}

// prepare fetches the target branch and the promotion branch, if it
// exists, in one exchange: a wildcard refspec for the promotion branch
// matches nothing (without failing) when there is none yet. It may also
// bring promotion-<id>N branches along; only the exact one is read.
func (d *Deliverer) prepare(ctx context.Context, rem remote, req GitDelivery) (*workspace, error) {
	w := &workspace{d: d, rem: rem, base: req.Target.Branch, branch: BranchPrefix + req.PromotionID}
	repo, err := git.Init(memory.NewStorage(), memfs.New())
	if err != nil {
		return nil, rem.fail(w.base, "init", err)
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{rem.url}}); err != nil {
		return nil, rem.fail(w.base, "init", err)
	}
	w.repo = repo
	specs := []config.RefSpec{
		config.RefSpec("+refs/heads/" + w.base + ":refs/remotes/origin/" + w.base),
		config.RefSpec("+refs/heads/" + w.branch + "*:refs/remotes/origin/" + w.branch + "*"),
	}
	if err := w.fetchSpecs(ctx, w.base, specs); err != nil {
		return nil, err
	}
	if w.from, err = w.remoteTip(w.base); err != nil {
		return nil, err
	}
	if ref, err := repo.Reference(plumbing.NewRemoteReferenceName("origin", w.branch), true); err == nil {
		w.prTip = ref.Hash()
	}
	if req.BaseCommit != "" {
		h := plumbing.NewHash(req.BaseCommit)
		if _, err := repo.CommitObject(h); err != nil || h.String() != req.BaseCommit {
			return nil, rem.fail(w.base, "base commit", fmt.Errorf("%q is not a commit of the branch", clip(req.BaseCommit)))
		}
		w.from = h
	}
	return w, nil
}

// list returns the remote's branch heads (one request).
func (w *workspace) list(ctx context.Context) (map[string]plumbing.Hash, error) {
	r, err := w.repo.Remote("origin")
	if err != nil {
		return nil, w.rem.fail(w.base, "list", err)
	}
	refs, err := r.ListContext(ctx, &git.ListOptions{Auth: w.rem.auth})
	if err != nil {
		return nil, w.rem.fail(w.base, "list branches", err)
	}
	out := map[string]plumbing.Hash{}
	for _, ref := range refs {
		if ref.Name().IsBranch() && ref.Type() == plumbing.HashReference {
			out[ref.Name().Short()] = ref.Hash()
		}
	}
	return out, nil
}

// fetch updates origin/<branch>.
func (w *workspace) fetch(ctx context.Context, branch string) error {
	return w.fetchSpecs(ctx, branch, []config.RefSpec{config.RefSpec("+refs/heads/" + branch + ":refs/remotes/origin/" + branch)})
}

func (w *workspace) fetchSpecs(ctx context.Context, branch string, specs []config.RefSpec) error {
	err := w.repo.FetchContext(ctx, &git.FetchOptions{RemoteName: "origin", Auth: w.rem.auth, RefSpecs: specs, Tags: git.NoTags})
	switch {
	case err == nil || errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil
	case errors.Is(err, git.NoMatchingRefSpecError{}):
		return w.rem.fail(branch, "fetch", errors.New("the branch does not exist"))
	}
	return w.rem.fail(branch, "fetch", err)
}

func (w *workspace) remoteTip(branch string) (plumbing.Hash, error) {
	ref, err := w.repo.Reference(plumbing.NewRemoteReferenceName("origin", branch), true)
	if err != nil {
		return plumbing.ZeroHash, w.rem.fail(branch, "resolve", fmt.Errorf("the branch does not exist"))
	}
	return ref.Hash(), nil
}

// commitAndPush builds the delivery on the current base (or on the
// promotion branch when a person added commits there that do not touch
// Capsule's files), re-checks the base just before pushing and pushes.
func (w *workspace) commitAndPush(ctx context.Context, req GitDelivery) (plumbing.Hash, []string, error) {
	tip, err := w.remoteTip(w.base)
	if err != nil {
		return plumbing.ZeroHash, nil, err
	}
	human, err := w.humanChanges(req.PromotionID, tip)
	if err != nil {
		return plumbing.ZeroHash, nil, err
	}
	for attempt := 0; ; attempt++ {
		parent := tip
		if len(human) > 0 {
			parent = w.prTip // keep the person's commits
		}
		commit, touched, err := w.build(parent, req)
		if err != nil {
			return plumbing.ZeroHash, nil, err
		}
		upstream, err := w.changed(w.from, tip)
		if err != nil {
			return plumbing.ZeroHash, nil, err
		}
		conflicts, err := w.conflicts(commit, touched, upstream, tip, human)
		if err != nil || len(conflicts) > 0 {
			return plumbing.ZeroHash, conflicts, err
		}
		if same, err := w.unchanged(commit, parent, tip); err != nil || same {
			return w.prTip, nil, err
		}
		// Just before pushing, has the base moved while this was built?
		tips, err := w.list(ctx)
		if err != nil {
			return plumbing.ZeroHash, nil, err
		}
		if moved := tips[w.base]; moved != tip && !moved.IsZero() && attempt < maxRebases {
			if err := w.fetch(ctx, w.base); err != nil {
				return plumbing.ZeroHash, nil, err
			}
			tip = moved // check again and re-apply on the new head
			continue
		}
		return commit, nil, w.push(ctx, commit, parent)
	}
}

// build checks out parent, lays the files out and commits.
func (w *workspace) build(parent plumbing.Hash, req GitDelivery) (plumbing.Hash, []string, error) {
	wt, err := w.repo.Worktree()
	if err != nil {
		return plumbing.ZeroHash, nil, w.rem.fail(w.branch, "worktree", err)
	}
	if err := wt.Checkout(&git.CheckoutOptions{Hash: parent, Force: true}); err != nil {
		return plumbing.ZeroHash, nil, w.rem.fail(w.branch, "checkout", err)
	}
	lr, err := applyLayout(wt.Filesystem, cleanPath(req.Target.Path), req.Files)
	if err != nil {
		return plumbing.ZeroHash, nil, w.rem.fail(w.branch, "writing the files", err)
	}
	for _, p := range lr.written {
		if err := wt.AddWithOptions(&git.AddOptions{Path: p, SkipStatus: true}); err != nil {
			return plumbing.ZeroHash, nil, w.rem.fail(w.branch, "staging "+p, err)
		}
	}
	for _, p := range lr.removed {
		if _, err := wt.Add(p); err != nil {
			return plumbing.ZeroHash, nil, w.rem.fail(w.branch, "staging the removal of "+p, err)
		}
	}
	now := w.d.cfg.Now()
	sig := &object.Signature{Name: w.d.cfg.AuthorName, Email: w.d.cfg.AuthorEmail, When: now}
	h, err := wt.Commit(commitMessage(req), &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		return plumbing.ZeroHash, nil, w.rem.fail(w.branch, "commit", err)
	}
	return h, lr.touched(), nil
}

// unchanged reports that the promotion branch already holds this very
// delivery (same tree and message on the same parent): nothing to push.
func (w *workspace) unchanged(commit, parent, tip plumbing.Hash) (bool, error) {
	if w.prTip.IsZero() {
		return false, nil
	}
	c, err1 := w.repo.CommitObject(commit)
	p, err2 := w.repo.CommitObject(w.prTip)
	if err := errors.Join(err1, err2); err != nil {
		return false, w.rem.fail(w.branch, "reading commits", err)
	}
	if c.TreeHash != p.TreeHash || c.Message != p.Message {
		return false, nil
	}
	return parent == w.prTip || (len(p.ParentHashes) == 1 && p.ParentHashes[0] == tip), nil
}

// push moves the promotion branch to commit: a new branch must not exist
// yet, an existing one must still be where it was fetched (a lease), so a
// concurrent change is refused rather than overwritten.
func (w *workspace) push(ctx context.Context, commit, parent plumbing.Hash) error {
	ref := plumbing.NewBranchReferenceName(w.branch)
	if err := w.repo.Storer.SetReference(plumbing.NewHashReference(ref, commit)); err != nil {
		return w.rem.fail(w.branch, "push", err)
	}
	opts := &git.PushOptions{RemoteName: "origin", Auth: w.rem.auth, RefSpecs: []config.RefSpec{config.RefSpec(ref + ":" + ref)}}
	if !w.prTip.IsZero() && parent != w.prTip {
		opts.ForceWithLease = &git.ForceWithLease{RefName: ref, Hash: w.prTip}
	}
	if err := w.repo.PushContext(ctx, opts); err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return w.rem.fail(w.branch, "push", err)
	}
	return nil
}

// sorted returns a set's members in order.
func sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
