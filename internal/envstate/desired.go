package envstate

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/deploy"
	"github.com/usecapsule/capsule/internal/deployer"
	"github.com/usecapsule/capsule/internal/manifest"
)

// Desired is what the newest successful deployment of svc (nil: of every
// service of the environment's project) applied in the environment;
// source none when none rolled out. Reader.Git, when it has the
// environment, answers first.
func (r *Reader) Desired(ctx context.Context, env *capsule.Environment, svc *capsule.Service) (State, error) {
	if r.Git != nil {
		st, ok, err := r.Git.Desired(ctx, env, svc)
		if err != nil || ok {
			return st, err
		}
	}
	svcs, err := r.services(ctx, env, svc)
	if err != nil {
		return State{}, err
	}
	out := State{Source: SourceNone, Objects: []manifest.Object{}}
	seen := map[manifest.ID]bool{}
	for i := range svcs {
		p, objs, at, err := r.release(ctx, env, &svcs[i])
		if err != nil {
			return State{}, err
		}
		if p == nil {
			continue
		}
		out.Source = SourceDeployment
		out.Parts = append(out.Parts, *p)
		if at.After(out.ObservedAt) {
			out.ObservedAt = at
		}
		for _, o := range objs {
			if id := o.ID(); !seen[id] {
				seen[id] = true
				out.Objects = append(out.Objects, o)
			}
		}
	}
	if svc != nil && len(out.Parts) == 1 {
		out.Revision, out.DeploymentID = out.Parts[0].Revision, out.Parts[0].DeploymentID
	}
	sortObjects(out.Objects)
	return out, nil
}

// release is svc's newest release in env as the engine applied it, with
// the replica count of a successful scale since; nil when none rolled out.
func (r *Reader) release(ctx context.Context, env *capsule.Environment, svc *capsule.Service) (*Part, []manifest.Object, time.Time, error) {
	rels, err := r.Store.Releases(ctx, svc.ID, env.ID)
	if err != nil || len(rels) == 0 {
		return nil, nil, time.Time{}, err
	}
	rel := rels[0]
	run, err := r.Store.FindDeployRun(ctx, rel.DeploymentID)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	rec, err := r.Store.FindDeployment(ctx, rel.DeploymentID)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	scaled, at, err := r.scaledSince(ctx, env, svc, rel.DeploymentID)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	if at.IsZero() && rec.CompletedAt != nil {
		at = *rec.CompletedAt
	}
	var raw []map[string]any
	if err := json.Unmarshal(run.Objects, &raw); err != nil {
		return nil, nil, time.Time{}, fmt.Errorf("envstate: the kept objects of deployment %s of service %s: %w", rel.DeploymentID, svc.Name, err)
	}
	ns := run.Namespace
	if ns == "" {
		ns = env.Namespace
	}
	file := "deployment:" + rel.DeploymentID
	objs := make([]manifest.Object, 0, len(raw))
	for _, m := range raw {
		u := &unstructured.Unstructured{Object: m}
		asApplied(u, ns, svc.Name, rel.Revision)
		if scaled != nil && (u.GetKind() == "Deployment" || u.GetKind() == "StatefulSet") {
			_ = unstructured.SetNestedField(u.Object, int64(*scaled), "spec", "replicas")
		}
		objs = append(objs, manifest.Object{Unstructured: u, File: file})
	}
	return &Part{ServiceID: svc.ID, Service: svc.Name, Revision: rel.Revision, DeploymentID: rel.DeploymentID}, objs, at, nil
}

// asApplied adds what the deploy engine writes on every object it applies:
// the namespace, the owner labels and the revision annotation (the
// Namespace itself gets only the managed-by label).
func asApplied(u *unstructured.Unstructured, ns, service string, revision int) {
	labels := u.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[deploy.LabelManagedBy] = "capsule"
	if u.GetKind() == "Namespace" {
		u.SetLabels(labels)
		return
	}
	u.SetNamespace(ns)
	labels[deploy.LabelService] = service
	u.SetLabels(labels)
	ann := u.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[deploy.AnnotationRevision] = strconv.Itoa(revision)
	u.SetAnnotations(ann)
}

// scaledSince is the replica count of the newest successful scale of svc
// in env after the release deployment, and when it completed; nil when
// there is none.
func (r *Reader) scaledSince(ctx context.Context, env *capsule.Environment, svc *capsule.Service, release string) (*int, time.Time, error) {
	f := capsule.DeploymentFilter{ServiceID: svc.ID, EnvironmentID: env.ID, Status: capsule.DeploymentRunning,
		Page: capsule.Page{Limit: capsule.MaxPageSize}}
	for {
		l, err := r.Store.ListDeployments(ctx, f)
		if err != nil {
			return nil, time.Time{}, err
		}
		// Newest first: the first scale met is the one in force, and
		// meeting the release ends the search.
		for _, d := range l.Items {
			if d.ID == release {
				return nil, time.Time{}, nil
			}
			run, err := r.Store.FindDeployRun(ctx, d.ID)
			if err != nil {
				if capsule.ErrorCode(err) == capsule.NotFoundCode("deployment") {
					continue // recorded without a run: not a deploy the engine ran
				}
				return nil, time.Time{}, err
			}
			if run.Action == deployer.ActionScale {
				n := run.Replicas
				var at time.Time
				if d.CompletedAt != nil {
					at = *d.CompletedAt
				}
				return &n, at, nil
			}
		}
		if l.NextCursor == "" {
			return nil, time.Time{}, nil
		}
		f.Cursor = l.NextCursor
	}
}
