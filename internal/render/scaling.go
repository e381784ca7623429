package render

import (
	"github.com/usecapsule/capsule/internal/servicespec"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// autoscaler scales the workload on CPU and memory utilization; nil when
// the replica count is fixed.
func (r *renderer) autoscaler() Object {
	sc := r.spec.Scaling
	if r.spec.Type == servicespec.TypeCron || !sc.Autoscaled() {
		return nil
	}
	kind := "Deployment"
	if r.spec.Storage != nil {
		kind = "StatefulSet"
	}
	var metrics []autoscalingv2.MetricSpec
	for _, m := range []struct {
		name   corev1.ResourceName
		target int
	}{{corev1.ResourceCPU, sc.TargetCPU}, {corev1.ResourceMemory, sc.TargetMemory}} {
		if m.target > 0 {
			metrics = append(metrics, autoscalingv2.MetricSpec{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{
					Name:   m.name,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr(int32(m.target))},
				},
			})
		}
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: r.meta(r.workloadName()),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: kind, Name: r.workloadName()},
			MinReplicas:    ptr(int32(sc.MinReplicas)),
			MaxReplicas:    int32(sc.MaxReplicas),
			Metrics:        metrics,
		},
	}
}

// disruptionBudget keeps all but one replica up during voluntary
// disruptions (node drains) whenever more than one replica can run; nil for
// a fixed single replica. maxUnavailable (not minAvailable) never blocks a
// drain, even when the autoscaler is at one replica.
func (r *renderer) disruptionBudget() Object {
	if r.spec.Type == servicespec.TypeCron || r.spec.Scaling.MaxReplicas < 2 {
		return nil
	}
	sel := r.selector()
	if r.spec.Deploy.Strategy == servicespec.StrategyBlueGreen && r.spec.Storage == nil {
		sel = with(sel, LabelSlot, r.opts.Slot)
	}
	one := intstr.FromInt32(1)
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: r.meta(r.workloadName()),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: &one,
			Selector:       &metav1.LabelSelector{MatchLabels: sel},
		},
	}
}
