package deployer

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/deploy"
	"github.com/usecapsule/capsule/internal/jobs"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// Strategies are the strategies a deploy may ask for.
var Strategies = []string{deploy.StrategyRolling, deploy.StrategyRecreate, deploy.StrategyBlueGreen, deploy.StrategyCanary}

// resolve checks that envID names an environment of svc's project that
// Capsule deploys to directly, with a cluster holding a credential.
func (d *Deployer) resolve(ctx context.Context, svc *capsule.Service, envID string) (*target, error) {
	if envID == "" {
		var v capsule.Validation
		v.Add("environmentId", "is required")
		return nil, v.Err()
	}
	env, err := d.cfg.Store.FindEnvironment(ctx, envID)
	if err != nil {
		return nil, err
	}
	if env.ProjectID != svc.ProjectID {
		// Another project's environment (perhaps another organization's):
		// not found, so its existence does not leak.
		return nil, capsule.NotFound("environment", envID)
	}
	if env.DeliveryMode == capsule.DeliveryGitOps {
		return nil, &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeGitOpsDelivery,
			Message: fmt.Sprintf("environment %s is delivered by GitOps: Capsule commits to its repository and Argo CD or Flux applies, so a direct deploy, rollback or scale is not possible", env.Name),
			Details: map[string]any{"environmentId": env.ID, "deliveryMode": env.DeliveryMode}}
	}
	if env.ClusterID == "" {
		return nil, &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeEnvironmentNoCluster,
			Message: fmt.Sprintf("environment %s has no cluster to deploy to: set its clusterId (capsule envs update %s --cluster NAME)", env.Name, env.Name),
			Details: map[string]any{"environmentId": env.ID}}
	}
	cl, err := d.cfg.Store.FindCluster(ctx, env.ClusterID)
	if err != nil {
		return nil, err
	}
	if cl.CredentialSecretID == "" {
		return nil, &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeClusterNoCredential,
			Message: fmt.Sprintf("cluster %s of environment %s holds no write credential: add one (PUT /api/v1/clusters/%s/credential)", cl.Name, env.Name, cl.ID),
			Details: map[string]any{"clusterId": cl.ID, "environmentId": env.ID}}
	}
	p, err := d.cfg.Store.FindProject(ctx, svc.ProjectID)
	if err != nil {
		return nil, err
	}
	return &target{env: env, cluster: cl, project: p}, nil
}

// CheckImage parses an image reference as docker and the kubelet do
// (a lowercase repository, an optional registry, tag and digest), naming
// what is wrong.
func CheckImage(image string) error {
	var v capsule.Validation
	switch {
	case image == "":
		v.Add("image", "is required (the service has no source image either)")
	case len(image) > 512:
		v.Add("image", "is %d characters long; an image reference has at most 512", len(image))
	default:
		if err := parseImage(image); err != nil {
			v.Add("image", "%q is not an image reference: %v", clip(image), err)
		}
	}
	return v.Err()
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

func checkReplicas(v *capsule.Validation, r *int, required bool) {
	switch {
	case r == nil && required:
		v.Add("replicas", "is required")
	case r != nil && (*r < 0 || *r > deploy.MaxReplicas):
		v.Add("replicas", "%d is out of range: want 0 to %d", *r, deploy.MaxReplicas)
	}
}

// Deploy validates req for svc and starts a deploy of it.
func (d *Deployer) Deploy(ctx context.Context, svc *capsule.Service, req DeployRequest) (*Accepted, error) {
	if req.Image == "" {
		req.Image = svc.Source.Image
	}
	req.Image = strings.TrimSpace(req.Image)
	var v capsule.Validation
	if err := CheckImage(req.Image); err != nil {
		return nil, err
	}
	if req.Strategy != "" && !slices.Contains(Strategies, req.Strategy) {
		v.Add("strategy", "%q is not a strategy: want one of %s", clip(req.Strategy), strings.Join(Strategies, ", "))
	}
	checkReplicas(&v, req.Replicas, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	t, err := d.resolve(ctx, svc, req.EnvironmentID)
	if err != nil {
		return nil, err
	}
	replicas := max(svc.Config.Scaling.MinReplicas, 1)
	if req.Replicas != nil {
		replicas = *req.Replicas
	}
	strategy := req.Strategy
	if strategy == "" {
		strategy = svc.Config.Strategy.Type
	}
	rec := &capsule.Deployment{ServiceID: svc.ID, EnvironmentID: t.env.ID, Version: req.Image,
		Status: capsule.DeploymentPending, Replicas: capsule.Replicas{Desired: replicas}, Message: "queued"}
	if req.Commit != nil {
		rec.Commit = *req.Commit
	}
	run := &sqlstore.DeployRun{Action: ActionDeploy, Image: req.Image, Strategy: strategy, Replicas: replicas,
		Namespace: t.env.Namespace, ConfigRevision: svc.Revision}
	return d.start(ctx, rec, run)
}

// Rollback validates req for svc and starts putting an earlier release
// back: its kept objects, not the service's configuration now.
func (d *Deployer) Rollback(ctx context.Context, svc *capsule.Service, req RollbackRequest) (*Accepted, error) {
	if req.Revision < 0 {
		var v capsule.Validation
		v.Add("revision", "%d is not a revision: revisions start at 1", req.Revision)
		return nil, v.Err()
	}
	t, err := d.resolve(ctx, svc, req.EnvironmentID)
	if err != nil {
		return nil, err
	}
	rels, err := d.cfg.Store.Releases(ctx, svc.ID, t.env.ID)
	if err != nil {
		return nil, err
	}
	var to *sqlstore.Release
	switch {
	case req.Revision > 0:
		for i := range rels {
			if rels[i].Revision == req.Revision {
				to = &rels[i]
			}
		}
		if to == nil {
			var v capsule.Validation
			v.Add("revision", "revision %d of service %s never rolled out in environment %s (releases that did: %s)",
				req.Revision, svc.Name, t.env.Name, revisions(rels))
			return nil, v.Err()
		}
	case len(rels) >= 2:
		to = &rels[1]
	default:
		return nil, &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeNothingDeployed,
			Message: fmt.Sprintf("service %s has no earlier successful deployment in environment %s to roll back to (releases: %s)", svc.Name, t.env.Name, revisions(rels)),
			Details: map[string]any{"serviceId": svc.ID, "environmentId": t.env.ID}}
	}
	from, err := d.cfg.Store.FindDeployRun(ctx, to.DeploymentID)
	if err != nil {
		return nil, err
	}
	rec := &capsule.Deployment{ServiceID: svc.ID, EnvironmentID: t.env.ID, Version: from.Image, Status: capsule.DeploymentPending,
		Replicas: capsule.Replicas{Desired: from.Replicas}, Message: fmt.Sprintf("queued: rollback to revision %d", to.Revision)}
	run := &sqlstore.DeployRun{Action: ActionRollback, Image: from.Image, Strategy: from.Strategy, Replicas: from.Replicas,
		Namespace: from.Namespace, ConfigRevision: from.ConfigRevision, Objects: from.Objects}
	return d.start(ctx, rec, run)
}

func revisions(rels []sqlstore.Release) string {
	if len(rels) == 0 {
		return "none"
	}
	out := make([]string, len(rels))
	for i, r := range rels {
		out[i] = strconv.Itoa(r.Revision)
	}
	return strings.Join(out, ", ")
}

// Scale validates req for svc and starts setting the replica count of
// the release running now.
func (d *Deployer) Scale(ctx context.Context, svc *capsule.Service, req ScaleRequest) (*Accepted, error) {
	var v capsule.Validation
	checkReplicas(&v, req.Replicas, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	t, err := d.resolve(ctx, svc, req.EnvironmentID)
	if err != nil {
		return nil, err
	}
	rels, err := d.cfg.Store.Releases(ctx, svc.ID, t.env.ID)
	if err != nil {
		return nil, err
	}
	if len(rels) == 0 {
		return nil, &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeNothingDeployed,
			Message: fmt.Sprintf("service %s has no successful deployment in environment %s to scale: deploy it first", svc.Name, t.env.Name),
			Details: map[string]any{"serviceId": svc.ID, "environmentId": t.env.ID}}
	}
	live, err := d.cfg.Store.FindDeployRun(ctx, rels[0].DeploymentID)
	if err != nil {
		return nil, err
	}
	rec := &capsule.Deployment{ServiceID: svc.ID, EnvironmentID: t.env.ID, Version: live.Image, Status: capsule.DeploymentPending,
		Replicas: capsule.Replicas{Desired: *req.Replicas}, Message: fmt.Sprintf("queued: scale to %d", *req.Replicas)}
	run := &sqlstore.DeployRun{Action: ActionScale, Image: live.Image, Strategy: live.Strategy, Replicas: *req.Replicas,
		Namespace: live.Namespace, ConfigRevision: live.ConfigRevision}
	return d.start(ctx, rec, run)
}

// start records the deployment, its run and its job in one transaction
// (the request's audit entry joins it) and wakes the runner.
func (d *Deployer) start(ctx context.Context, rec *capsule.Deployment, run *sqlstore.DeployRun) (*Accepted, error) {
	j := &jobs.Job{Kind: JobKind, Key: jobKey(rec.ServiceID, rec.EnvironmentID)}
	// The deployment's id exists only inside the transaction, so the
	// handler finds the deployment through the job's subject.
	j.Payload = []byte("{}")
	if err := d.cfg.Store.StartDeployment(ctx, rec, run, j); err != nil {
		return nil, err
	}
	d.notify()
	acc := &Accepted{Deployment: *rec}
	if ahead, err := d.cfg.Store.Jobs().Ahead(ctx, j.ID); err == nil && ahead != nil {
		acc.Queued, acc.QueuedBehind = true, ahead.Subject
	}
	d.wake()
	return acc, nil
}
