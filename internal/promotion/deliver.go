package promotion

import (
	"context"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/deployer"
	"github.com/usecapsule/capsule/internal/preview"
)

// GitDeliverer writes a promotion's manifests to the target's repository
// (a branch and pull request, or a commit) and reports what it made.
type GitDeliverer interface {
	Deliver(ctx context.Context, req GitDelivery) (GitResult, error)
}

// GitDelivery is one promotion to write to Git.
type GitDelivery struct {
	PromotionID string
	Target      GitTarget
	// Files are the rendered manifests, by path relative to Target.Path.
	Files map[string][]byte
	// Title and Body (Markdown: the preview) describe the change.
	Title, Body string
	Approvers   []string
}

// GitTarget is the repository and its credential.
type GitTarget struct {
	URL, Branch, Path, Provider string
	Token                       string
}

// GitResult is what a Git delivery made.
type GitResult struct {
	Branch, Commit, PRURL, PRState string
	Conflicts                      []string
}

// NoteGitNotConfigured is the note of an approved gitops promotion when
// no Git deliverer is configured.
const NoteGitNotConfigured = "Git delivery is not configured: the promotion is approved but nothing was written to the environment's repository"

// deliver hands an approved promotion to the deployer or to Git and
// returns the update that records it.
func (s *Service) deliver(ctx context.Context, p *capsule.Promotion, pl *plan) capsule.PromotionUpdate {
	u := capsule.PromotionUpdate{Status: capsule.PromotionDelivering, Delivery: capsule.PromotionDelivery{Mode: pl.target.DeliveryMode}}
	if pl.target.DeliveryMode == capsule.DeliveryGitOps {
		return s.deliverGit(ctx, p, pl, u)
	}
	if s.cfg.Deployer == nil {
		u.Status, u.Note = capsule.PromotionApproved, "direct delivery is not available in this process (no job runner): the promotion is approved but not deployed"
		return u
	}
	req := deployer.DeployRequest{EnvironmentID: pl.target.ID, Image: pl.image}
	if pl.targetHasRelease {
		n := pl.replicas
		req.Replicas = &n
	}
	acc, err := s.cfg.Deployer.Deploy(ctx, pl.svc, req)
	if err != nil {
		u.Status, u.Note = capsule.PromotionFailed, "the deployment could not start: "+err.Error()
		return u
	}
	u.Delivery.DeploymentID = acc.ID
	u.Note = fmt.Sprintf("deployment %s of image %s started", acc.ID, pl.image)
	return u
}

func (s *Service) deliverGit(ctx context.Context, p *capsule.Promotion, pl *plan, u capsule.PromotionUpdate) capsule.PromotionUpdate {
	g := pl.target.Git
	switch {
	case s.cfg.Git == nil:
		u.Status, u.Note = capsule.PromotionApproved, NoteGitNotConfigured
		return u
	case g == nil:
		u.Status, u.Note = capsule.PromotionFailed, "environment "+pl.target.Name+" is delivered by GitOps but names no repository (set its git field)"
		return u
	}
	token := ""
	if s.cfg.GitToken != nil {
		var err error
		if token, err = s.cfg.GitToken(ctx, pl.target); err != nil {
			u.Status, u.Note = capsule.PromotionFailed, "reading the repository credential: "+err.Error()
			return u
		}
	}
	files, err := manifestFiles(pl)
	if err != nil {
		u.Status, u.Note = capsule.PromotionFailed, err.Error()
		return u
	}
	approvers := make([]string, 0, len(p.Approvals))
	for _, a := range p.Approvals {
		approvers = append(approvers, s.approverName(ctx, a.By))
	}
	res, err := s.cfg.Git.Deliver(ctx, GitDelivery{PromotionID: p.ID,
		Target: GitTarget{URL: g.URL, Branch: g.Branch, Path: g.Path, Provider: g.Provider, Token: token},
		Files:  files, Title: fmt.Sprintf("Promote %s revision %d to %s", pl.svc.Name, pl.revision, pl.target.Name),
		Body: pullRequestBody(p, pl), Approvers: approvers})
	u.Conflicts = res.Conflicts
	u.Delivery.Git = &capsule.GitDelivered{Branch: res.Branch, Commit: res.Commit, PRURL: res.PRURL, PRState: res.PRState}
	switch {
	case err != nil:
		u.Status, u.Note = capsule.PromotionFailed, "Git delivery failed: "+err.Error()
	case len(res.Conflicts) > 0:
		u.Status, u.Note = capsule.PromotionFailed, "Git delivery met conflicts"
	default:
		u.Status = capsule.PromotionDelivered
	}
	return u
}

// approverName is the user as the commit's Approved-by trailer shows it.
func (s *Service) approverName(ctx context.Context, userID string) string {
	if s.cfg.Approver == nil {
		return userID
	}
	name, err := s.cfg.Approver(ctx, userID)
	if err != nil || name == "" {
		return userID
	}
	return name
}

// pullRequestBody is the promotion's preview as Markdown, the comment a
// reviewer reads on the pull request, headed by what is promoted where.
// The preview is rebuilt from the plan approval just checked against the
// stored fingerprints, so it is the one the approvers saw.
func pullRequestBody(p *capsule.Promotion, pl *plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Promotion `%s` of **%s** (`%s`) from **%s** to **%s**.\n\n",
		p.ID, pl.svc.Name, pl.image, pl.source.Name, pl.target.Name)
	pv, err := preview.Build(preview.Input{Current: pl.current, Proposed: pl.proposed})
	if err == nil {
		err = pv.WriteMarkdown(&b)
	}
	if err != nil {
		fmt.Fprintf(&b, "Changes: %d added, %d removed, %d modified; risk %s.\n",
			p.Summary.Added, p.Summary.Removed, p.Summary.Modified, p.RiskLevel)
	}
	return b.String()
}

// manifestFiles writes each proposed object as its own YAML file, named
// kind-name.yaml, as people keep manifests in a GitOps repository.
func manifestFiles(pl *plan) (map[string][]byte, error) {
	out := make(map[string][]byte, len(pl.proposed))
	for _, o := range pl.proposed {
		j, err := o.MarshalJSON()
		if err != nil {
			return nil, err
		}
		b, err := yaml.JSONToYAML(j)
		if err != nil {
			return nil, err
		}
		out[fmt.Sprintf("%s-%s.yaml", o.GetKind(), o.GetName())] = b
	}
	return out, nil
}

// Refresh follows a delivering promotion's deployment: running makes it
// delivered; failed, cancelled or rolled back make it failed.
func (s *Service) Refresh(ctx context.Context, p *capsule.Promotion) (*capsule.Promotion, error) {
	if p.Status != capsule.PromotionDelivering || p.Delivery.DeploymentID == "" {
		return p, nil
	}
	d, err := s.cfg.Store.FindDeployment(ctx, p.Delivery.DeploymentID)
	if err != nil {
		return p, nil // the deployment is gone with its environment; the promotion says what it knew
	}
	status := ""
	switch d.Status {
	case capsule.DeploymentRunning:
		status = capsule.PromotionDelivered
	case capsule.DeploymentFailed, capsule.DeploymentCancelled, capsule.DeploymentRolledBack:
		status = capsule.PromotionFailed
	default:
		return p, nil
	}
	u := capsule.PromotionUpdate{Status: status, Delivery: p.Delivery, Conflicts: p.Conflicts,
		Note: fmt.Sprintf("deployment %s is %s", d.ID, d.Status)}
	if d.Message != "" {
		u.Note += ": " + d.Message
	}
	np, err := s.cfg.Store.UpdatePromotion(ctx, p.ID, p.Version, u)
	if capsule.ErrorCode(err) == capsule.CodeVersionConflict {
		return s.cfg.Store.FindPromotion(ctx, p.ID) // another reader recorded it first
	}
	return np, err
}
