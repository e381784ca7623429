package deploy

import (
	"context"
	"fmt"
	"strconv"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/usecapsule/capsule/internal/render"
)

// LabelMigrationOf marks a migration Job; it is not LabelService, so prune
// leaves finished Jobs to their TTL.
const LabelMigrationOf = "capsule.dev/migration-of"

// migrationTTL keeps a finished migration Job (and its pod's logs) a day.
const migrationTTL = 24 * 60 * 60

// migrate runs the migration command as a Job before the rollout. The
// objects the Job's pod reads (service account, ConfigMaps, Secrets) are
// applied first; no workload changes until the Job succeeds. A failed Job
// restores the previous revision's configuration objects (when there is a
// release to take them from) so running pods that restart read what they
// were started with.
func (r *run) migrate(ctx context.Context) error {
	var pre []*unstructured.Unstructured
	for _, o := range r.objs {
		if kindRank(o.GetKind()) < kindRank("Deployment") {
			pre = append(pre, o)
		}
	}
	if err := r.apply(ctx, pre); err != nil {
		return err
	}
	job, err := r.migrationJob()
	if err != nil {
		return err
	}
	r.report(Progress{Phase: PhaseMigrating, Message: fmt.Sprintf("running the migration Job %s: %v", job.GetName(), r.req.Migration.Command)})
	if _, err := r.e.dyn.Resource(gvrJobs).Namespace(r.req.Namespace).Create(ctx, job, metav1.CreateOptions{FieldManager: FieldManager}); err != nil {
		return fmt.Errorf("deploy: create the migration Job %s: %w", job.GetName(), err)
	}
	r.res.Applied = append(r.res.Applied, refOf(job))
	err = r.waitJob(ctx, job.GetName(), r.migrationTimeout())
	if err == nil {
		return nil
	}
	if re, ok := err.(*RolloutError); ok {
		re.undone = "no workload was changed"
		if rel, lerr := r.e.loadRelease(ctx, r.req.Namespace, r.req.Service); lerr == nil && rel != nil {
			var back []*unstructured.Unstructured
			for _, o := range rel.request(r.req.Namespace, r.req.Service).Objects {
				if k := o.GetKind(); k != "Namespace" && kindRank(k) < kindRank("Deployment") {
					back = append(back, o)
				}
			}
			if aerr := r.apply(ctx, back); aerr != nil {
				return fmt.Errorf("deploy: %v; restoring revision %d's configuration failed: %w", re, rel.Revision, aerr)
			}
			re.undone += fmt.Sprintf("; revision %d's configuration was restored", rel.Revision)
		}
	}
	return err
}

// migrationJob builds the Job from the workload's pod template: same
// image, environment, volumes and service account, the migration's
// command, no probes, no restarts. The pod labels that select the
// workload's pods are dropped so no Service sends it traffic.
func (r *run) migrationJob() (*unstructured.Unstructured, error) {
	var tmpl *corev1.PodTemplateSpec
	for _, o := range r.objs {
		if k := o.GetKind(); k == "Deployment" || k == "StatefulSet" {
			m, _, _ := unstructured.NestedMap(o.Object, "spec", "template")
			tmpl = &corev1.PodTemplateSpec{}
			if err := runtimeFromMap(m, tmpl); err != nil {
				return nil, fmt.Errorf("deploy: pod template of %s: %w", refOf(o), err)
			}
			break
		}
	}
	if tmpl == nil || len(tmpl.Spec.Containers) == 0 {
		return nil, fmt.Errorf("deploy: service %s has no Deployment or StatefulSet whose pod the migration could run as", r.req.Service)
	}
	if len(r.req.Migration.Command) == 0 {
		return nil, fmt.Errorf("deploy: the migration of %s has no command", r.req.Service)
	}
	for _, k := range []string{render.LabelName, render.LabelInstance, render.LabelSlot, render.LabelTrack} {
		delete(tmpl.Labels, k)
	}
	tmpl.Labels = withLabel(tmpl.Labels, LabelMigrationOf, r.req.Service)
	c := &tmpl.Spec.Containers[0]
	c.Command, c.Args = r.req.Migration.Command, nil
	c.LivenessProbe, c.ReadinessProbe, c.StartupProbe = nil, nil, nil
	tmpl.Spec.Containers = tmpl.Spec.Containers[:1]
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	deadline := int64((r.migrationTimeout() + time.Second - 1) / time.Second)
	zero, ttl := int32(0), int32(migrationTTL)
	job := &batchv1.Job{
		TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        fmt.Sprintf("%s-migrate-%d-%s", r.req.Service, r.req.Revision, rand.String(5)),
			Namespace:   r.req.Namespace,
			Labels:      map[string]string{LabelManagedBy: "capsule", LabelMigrationOf: r.req.Service},
			Annotations: map[string]string{AnnotationRevision: strconv.Itoa(r.req.Revision)},
		},
		Spec: batchv1.JobSpec{BackoffLimit: &zero, ActiveDeadlineSeconds: &deadline, TTLSecondsAfterFinished: &ttl, Template: *tmpl},
	}
	m, err := runtimeToMap(job)
	if err != nil {
		return nil, err
	}
	return &unstructured.Unstructured{Object: m}, nil
}

// waitJob waits for the Job to complete; a Failed condition is a
// RolloutError naming the Job's reason and its pod's trouble.
func (r *run) waitJob(ctx context.Context, name string, timeout time.Duration) error {
	ns := r.req.Namespace
	// The Job's own deadline should end it first; this bounds a Job
	// controller that never reports.
	ctx, cancel := context.WithTimeout(ctx, timeout+time.Minute)
	defer cancel()
	// The Job controller deletes a failed Job's pods: remember them as
	// they were, to name what went wrong.
	seen := map[string]corev1.Pod{}
	for {
		if j, ok := r.w.job(ns, name); ok {
			for _, p := range r.w.pods() {
				if ownedBy(p.OwnerReferences, j.UID) && p.DeletionTimestamp == nil {
					seen[p.Name] = p
				}
			}
			for _, c := range j.Status.Conditions {
				if c.Status != corev1.ConditionTrue {
					continue
				}
				switch c.Type {
				case batchv1.JobComplete:
					r.report(Progress{Phase: PhaseMigrating, Percent: 100, Message: "migration Job " + name + " completed"})
					return nil
				case batchv1.JobFailed:
					var pods []corev1.Pod
					for _, p := range seen {
						pods = append(pods, p)
					}
					return &RolloutError{Reason: "MigrationFailed",
						Message: fmt.Sprintf("migration Job %s failed (%s: %s); %s", name, c.Reason, c.Message, cause(pods, r.w.events(), []string{name}))}
				}
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.w.changed:
		}
	}
}

func (r *run) migrationTimeout() time.Duration {
	if r.req.Migration.Timeout <= 0 {
		return DefaultMigrationTimeout
	}
	return r.req.Migration.Timeout
}
