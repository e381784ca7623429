package promotion

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/deploy"
	"github.com/usecapsule/capsule/internal/deployer"
	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/preview"
)

// Request names a promotion to preview by IDs.
type Request struct {
	ServiceID   string
	SourceEnvID string
	TargetEnvID string
	ClusterID   string
	GitCommit   string
	RequestedBy string
}

// Previewed is a stored promotion with its artifact as the engine made it.
type Previewed struct {
	Promotion *capsule.Promotion
	Preview   *preview.Preview
}

// plan is what a promotion would do, before the engines judge it.
type plan struct {
	svc              *capsule.Service
	source, target   *capsule.Environment
	project          *capsule.Project
	revision         int
	image            string
	replicas         int
	proposed         []manifest.Object
	current          []manifest.Object
	currentSource    string
	srcFP, targetFP  string
	targetHasRelease bool
}

// Preview computes, gates and stores the promotion req asks for.
func (s *Service) Preview(ctx context.Context, req Request) (*Previewed, error) {
	pl, err := s.plan(ctx, req.ServiceID, req.SourceEnvID, req.TargetEnvID)
	if err != nil {
		return nil, err
	}
	if req.ClusterID != "" && req.ClusterID != pl.target.ClusterID {
		var v capsule.Validation
		v.Add("cluster_id", "%q is not the cluster of environment %s", clip(req.ClusterID), pl.target.Name)
		return nil, v.Err()
	}
	pv, err := preview.Build(preview.Input{Current: pl.current, Proposed: pl.proposed})
	if err != nil {
		return nil, capsule.Internal(fmt.Errorf("previewing %s into %s: %w", pl.svc.Name, pl.target.Name, err))
	}
	if s.cfg.Explainer != nil {
		pv.Explain(ctx, s.cfg.Explainer)
	}
	art, err := artifactOf(pv)
	if err != nil {
		return nil, err
	}
	p := &capsule.Promotion{OrganizationID: pl.project.OrganizationID, ProjectID: pl.project.ID, ServiceID: pl.svc.ID,
		SourceEnvID: pl.source.ID, TargetEnvID: pl.target.ID, ClusterID: pl.target.ClusterID, SourceRevision: pl.revision,
		Image: pl.image, GitCommit: req.GitCommit, RiskLevel: string(pv.RiskLevel), CostDeltaMicros: int64(pv.EstimatedCost.Delta),
		Summary:           capsule.PromotionSummary{Added: len(pv.Diff.Added), Removed: len(pv.Diff.Removed), Modified: len(pv.Diff.Modified)},
		TargetFingerprint: pl.targetFP, SourceFingerprint: pl.srcFP, TargetSource: pl.currentSource,
		RequestedBy: req.RequestedBy, Delivery: capsule.PromotionDelivery{Mode: pl.target.DeliveryMode}}
	p.Gates = gates(pl.target.ApprovalPolicy, p)
	p.Status = capsule.PromotionPending
	if len(p.Gates) > 0 {
		p.Status = capsule.PromotionBlocked
		p.Note = "blocked by the target's policy: " + joinGates(p.Gates) + "; an approver may approve with an override reason"
	}
	if err := s.cfg.Store.CreatePromotion(ctx, p, art); err != nil {
		return nil, err
	}
	return &Previewed{Promotion: p, Preview: pv}, nil
}

// plan resolves the service, both environments and both states.
func (s *Service) plan(ctx context.Context, serviceID, sourceID, targetID string) (*plan, error) {
	st := s.cfg.Store
	svc, err := st.FindService(ctx, serviceID)
	if err != nil {
		return nil, err
	}
	pl := &plan{svc: svc}
	if pl.source, err = s.envOf(ctx, svc, sourceID, "source"); err != nil {
		return nil, err
	}
	if pl.target, err = s.envOf(ctx, svc, targetID, "target"); err != nil {
		return nil, err
	}
	if pl.source.ID == pl.target.ID {
		var v capsule.Validation
		v.Add("target_env_id", "is the source environment: a promotion moves a revision to another environment")
		return nil, v.Err()
	}
	if pl.project, err = st.FindProject(ctx, svc.ProjectID); err != nil {
		return nil, err
	}
	src, err := s.cfg.Releases.LastRelease(ctx, svc, pl.source)
	if err != nil {
		return nil, err
	}
	strategy := ""
	pl.revision, pl.image = svc.Revision, svc.Source.Image
	if src != nil {
		pl.revision, pl.image, strategy, pl.replicas = src.ConfigRevision, src.Image, src.Strategy, src.Replicas
	}
	if pl.image == "" {
		return nil, &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeNothingToPromote,
			Message: fmt.Sprintf("environment %s runs no release of service %s and the service has no source image: deploy it there first", pl.source.Name, svc.Name),
			Details: map[string]any{"serviceId": svc.ID, "sourceEnvId": pl.source.ID}}
	}
	if pl.current, pl.currentSource, err = s.cfg.Current.CurrentState(ctx, pl.target, svc); err != nil {
		return nil, err
	}
	if n := currentReplicas(pl.current, svc.Name); n > 0 {
		pl.replicas, pl.targetHasRelease = n, true
	} else if tgt, err := s.cfg.Releases.LastRelease(ctx, svc, pl.target); err != nil {
		return nil, err
	} else if tgt != nil && tgt.Replicas > 0 {
		pl.replicas, pl.targetHasRelease = tgt.Replicas, true
	}
	rev, err := st.FindServiceRevision(ctx, svc.ID, pl.revision)
	if err != nil {
		return nil, err
	}
	rendered, err := deployer.Render(svc.Name, pl.target.Name, pl.target.Namespace, pl.project.Slug, rev, pl.image, strategy, pl.replicas)
	if err != nil {
		return nil, capsule.Errorf(capsule.KindInvalid, capsule.CodeValidation, "rendering service %s for %s: %v", svc.Name, pl.target.Name, err)
	}
	objs, err := deploy.FromRendered(rendered)
	if err != nil {
		return nil, capsule.Internal(err)
	}
	for i, o := range objs {
		pl.proposed = append(pl.proposed, manifest.Object{Unstructured: o, File: "proposed", Doc: i})
	}
	if d, ok := s.cfg.Current.(Decorator); ok {
		d.Decorate(pl.proposed, pl.current, pl.target, svc)
	}
	pl.targetFP = fingerprint(pl.current)
	pl.srcFP = sourceFingerprint(src, pl.revision, pl.image)
	return pl, nil
}

func (s *Service) envOf(ctx context.Context, svc *capsule.Service, id, role string) (*capsule.Environment, error) {
	if id == "" {
		var v capsule.Validation
		v.Add(role+"_env_id", "is required")
		return nil, v.Err()
	}
	e, err := s.cfg.Store.FindEnvironment(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.ProjectID != svc.ProjectID {
		return nil, capsule.NotFound("environment", id) // another project's: its existence does not leak
	}
	return e, nil
}

// fingerprint hashes a state: its objects in a stable order.
func fingerprint(objs []manifest.Object) string {
	keys := make([]string, 0, len(objs))
	for _, o := range objs {
		b, _ := json.Marshal(o.Object) // maps marshal with sorted keys
		keys = append(keys, string(b))
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sourceFingerprint(r *Release, revision int, image string) string {
	id := "none"
	if r != nil {
		id = r.DeploymentID
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%s", id, revision, image))
	return hex.EncodeToString(sum[:])
}

func artifactOf(p *preview.Preview) (*capsule.PromotionArtifact, error) {
	var a capsule.PromotionArtifact
	var err error
	enc := func(v any) json.RawMessage {
		if err != nil {
			return nil
		}
		var b []byte
		b, err = json.Marshal(v)
		return b
	}
	a.Diff, a.EstimatedCost, a.Risks, a.NotAssessed = enc(p.Diff), enc(p.EstimatedCost), enc(p.Risks), enc(p.NotAssessed)
	if p.ExplanationSource != nil {
		a.ExplanationSource = enc(p.ExplanationSource)
	}
	a.RiskLevel, a.Explanation = string(p.RiskLevel), p.Explanation
	if err != nil {
		return nil, capsule.Internal(err)
	}
	return &a, nil
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
