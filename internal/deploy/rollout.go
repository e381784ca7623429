package deploy

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// status is one workload's rollout as the watched objects show it: the
// new revision's pods and whether the cluster has finished, or says it
// cannot finish (failure).
type status struct {
	desired, running, ready int
	done                    bool
	// failure is the cluster's own word that the rollout cannot go on
	// (a ReplicaFailure condition, ProgressDeadlineExceeded); cause names
	// it in plain words, from pods and events.
	failure string
	pods    []corev1.Pod
	owners  []string // the controllers whose events explain missing pods
}

func (s *status) add(o status) {
	s.desired += o.desired
	s.running += o.running
	s.ready += o.ready
	s.done = s.done && o.done
	if s.failure == "" {
		s.failure = o.failure
	}
	s.pods = append(s.pods, o.pods...)
	s.owners = append(s.owners, o.owners...)
}

func (s status) percent() int {
	if s.desired == 0 {
		if s.done {
			return 100
		}
		return 0
	}
	return min(100, s.ready*100/s.desired)
}

const revisionAnnotation = "deployment.kubernetes.io/revision"

// deploymentStatus judges a Deployment the way `kubectl rollout status`
// does: the controller saw the latest spec, every replica is updated and
// available, and no old replica is left.
func deploymentStatus(w *watcher, ns, name string, gen int64) status {
	d, ok := w.deployment(ns, name)
	if !ok || d.Generation < gen {
		return status{desired: 1}
	}
	st := status{desired: 1}
	if d.Spec.Replicas != nil {
		st.desired = int(*d.Spec.Replicas)
	}
	observed := d.Status.ObservedGeneration >= d.Generation
	for _, c := range d.Status.Conditions {
		switch {
		// Only an observed generation's ReplicaFailure counts: right after
		// an automatic rollback the condition of the failed revision is
		// still there until the controller has seen the restored template.
		case observed && c.Type == appsv1.DeploymentReplicaFailure && c.Status == corev1.ConditionTrue:
			st.failure = "Deployment " + name + " cannot create pods (" + c.Reason + "): " + c.Message
		case observed && c.Type == appsv1.DeploymentProgressing && c.Reason == "ProgressDeadlineExceeded":
			st.failure = "ProgressDeadlineExceeded: Deployment " + name + " made no progress within its deadline"
		}
	}
	if !observed {
		return st
	}
	for _, rs := range w.replicaSets() {
		if !ownedBy(rs.OwnerReferences, d.UID) || rs.Annotations[revisionAnnotation] != d.Annotations[revisionAnnotation] {
			continue
		}
		st.owners = append(st.owners, rs.Name)
		for _, c := range rs.Status.Conditions {
			if c.Type == appsv1.ReplicaSetReplicaFailure && c.Status == corev1.ConditionTrue {
				st.failure = "ReplicaSet " + rs.Name + " cannot create pods (" + c.Reason + "): " + c.Message
			}
		}
		st.countPods(w, rs.UID, "", "")
	}
	s := d.Status
	st.done = s.UpdatedReplicas >= int32(st.desired) && s.Replicas <= s.UpdatedReplicas && s.AvailableReplicas >= s.UpdatedReplicas
	if st.done {
		st.failure = ""
	}
	return st
}

// statefulSetStatus judges a StatefulSet like kubectl: observed, every
// replica updated to the update revision and Ready. With the OnDelete
// strategy pods change only when deleted, so Ready replicas suffice.
func statefulSetStatus(w *watcher, ns, name string, gen int64) status {
	s, ok := w.statefulSet(ns, name)
	if !ok || s.Generation < gen {
		return status{desired: 1}
	}
	st := status{desired: 1, owners: []string{name}}
	if s.Spec.Replicas != nil {
		st.desired = int(*s.Spec.Replicas)
	}
	if s.Status.ObservedGeneration < s.Generation {
		return st
	}
	onDelete := s.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType
	if onDelete {
		st.countPods(w, s.UID, "", "")
	} else {
		st.countPods(w, s.UID, appsv1.ControllerRevisionHashLabelKey, s.Status.UpdateRevision)
	}
	want := int32(st.desired)
	st.done = s.Status.ReadyReplicas >= want && (onDelete || s.Status.UpdatedReplicas >= want && s.Status.CurrentRevision == s.Status.UpdateRevision)
	return st
}

// countPods counts the live pods owned by uid (and labelled key=value when
// key is set).
func (st *status) countPods(w *watcher, uid types.UID, key, value string) {
	for _, p := range w.pods() {
		if p.DeletionTimestamp != nil || !ownedBy(p.OwnerReferences, uid) || (key != "" && p.Labels[key] != value) {
			continue
		}
		st.pods = append(st.pods, p)
		if p.Status.Phase == corev1.PodRunning {
			st.running++
		}
		if podReady(&p) {
			st.ready++
		}
	}
}

func ownedBy(refs []metav1.OwnerReference, uid types.UID) bool {
	for _, r := range refs {
		if r.UID == uid {
			return true
		}
	}
	return false
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
