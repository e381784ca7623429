package render

import (
	"github.com/usecapsule/capsule/internal/servicespec"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// workloads returns the Deployment(s), StatefulSet or CronJob.
func (r *renderer) workloads() []Object {
	s := r.spec
	switch {
	case s.Type == servicespec.TypeCron:
		return []Object{r.cronJob()}
	case s.Storage != nil:
		return []Object{r.statefulSet()}
	case s.Deploy.Strategy == servicespec.StrategyBlueGreen:
		return []Object{r.deployment(r.workloadName(), map[string]string{LabelSlot: r.opts.Slot}, r.image, r.replicas())}
	case s.Deploy.Strategy == servicespec.StrategyCanary:
		out := []Object{r.deployment(s.Name, map[string]string{LabelTrack: "stable"}, r.image, r.replicas())}
		if r.opts.CanaryImage != "" {
			out = append(out, r.deployment(s.Name+"-canary", map[string]string{LabelTrack: "canary"}, r.opts.CanaryImage, r.canaryReplicas()))
		}
		return out
	}
	return []Object{r.deployment(s.Name, nil, r.image, r.replicas())}
}

// workloadName is the name of the workload the autoscaler targets.
func (r *renderer) workloadName() string {
	if r.spec.Deploy.Strategy == servicespec.StrategyBlueGreen && r.spec.Storage == nil {
		return r.spec.Name + "-" + r.opts.Slot
	}
	return r.spec.Name
}

// replicas is the replica count; nil when an autoscaler owns it, so that
// applying the manifest does not fight the autoscaler.
func (r *renderer) replicas() *int32 {
	if r.spec.Scaling.Autoscaled() {
		return nil
	}
	return ptr(int32(r.spec.Scaling.MinReplicas))
}

// canaryReplicas is canaryPercent of the stable replicas, at least one.
func (r *renderer) canaryReplicas() *int32 {
	n := (r.spec.Scaling.MinReplicas*r.spec.Deploy.CanaryPercent + 99) / 100
	return ptr(int32(max(n, 1)))
}

func (r *renderer) deployment(name string, extra map[string]string, image string, replicas *int32) Object {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: r.meta(name),
		Spec: appsv1.DeploymentSpec{
			Replicas:             replicas,
			RevisionHistoryLimit: ptr(int32(5)),
			Selector:             &metav1.LabelSelector{MatchLabels: with(r.selector(), flatten(extra)...)},
			Template:             r.podTemplate(extra, image),
			Strategy:             r.strategy(),
		},
	}
	d.Labels = with(d.Labels, flatten(extra)...)
	return d
}

func (r *renderer) strategy() appsv1.DeploymentStrategy {
	if r.spec.Deploy.Strategy == servicespec.StrategyRecreate {
		return appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}
	// Start a new pod before stopping an old one: no capacity dip.
	surge, unavailable := intstr.FromString("25%"), intstr.FromInt32(0)
	return appsv1.DeploymentStrategy{
		Type:          appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{MaxSurge: &surge, MaxUnavailable: &unavailable},
	}
}

func (r *renderer) statefulSet() Object {
	st := r.spec.Storage
	claim := corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Name: "data", Labels: r.selector()},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(st.Size)}},
		},
	}
	if st.StorageClass != "" {
		claim.Spec.StorageClassName = ptr(st.StorageClass)
	}
	update := appsv1.StatefulSetUpdateStrategy{Type: appsv1.RollingUpdateStatefulSetStrategyType}
	if r.spec.Deploy.Strategy == servicespec.StrategyRecreate {
		// Replace pods only when deleted: the closest a StatefulSet has to
		// recreate, for software that cannot run two versions at once.
		update = appsv1.StatefulSetUpdateStrategy{Type: appsv1.OnDeleteStatefulSetStrategyType}
	}
	return &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: r.meta(r.spec.Name),
		Spec: appsv1.StatefulSetSpec{
			Replicas:             r.replicas(),
			ServiceName:          r.headlessName(),
			Selector:             &metav1.LabelSelector{MatchLabels: r.selector()},
			Template:             r.podTemplate(nil, r.image),
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{claim},
			UpdateStrategy:       update,
			RevisionHistoryLimit: ptr(int32(5)),
			PersistentVolumeClaimRetentionPolicy: &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
				WhenDeleted: appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
				WhenScaled:  appsv1.RetainPersistentVolumeClaimRetentionPolicyType,
			},
		},
	}
}

func (r *renderer) cronJob() Object {
	tmpl := r.podTemplate(nil, r.image)
	tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	return &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: r.meta(r.spec.Name),
		Spec: batchv1.CronJobSpec{
			Schedule: r.spec.Schedule,
			// A run still going when the next is due keeps going alone.
			ConcurrencyPolicy:          batchv1.ForbidConcurrent,
			StartingDeadlineSeconds:    ptr(int64(300)),
			SuccessfulJobsHistoryLimit: ptr(int32(3)),
			FailedJobsHistoryLimit:     ptr(int32(3)),
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: r.labels()},
				Spec: batchv1.JobSpec{
					BackoffLimit:            ptr(int32(2)),
					TTLSecondsAfterFinished: ptr(int32(86400)),
					Template:                tmpl,
				},
			},
		},
	}
}
