package deploy

import (
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// RolloutError is a rollout that did not finish, with its cause in plain
// words.
type RolloutError struct {
	// Reason is a short machine word: ProgressDeadlineExceeded,
	// ReplicaFailure, AnalysisFailed, MigrationFailed.
	Reason  string
	Message string
	// undone says how the failure was already undone by the strategy
	// itself (blue-green never switched, the canary was removed), so no
	// earlier revision needs to be applied again.
	undone string
}

func (e *RolloutError) Error() string { return e.Message }

// cause names why the new pods are not Ready, from the first pod with a
// known trouble, then the controllers' events. The order matters: a pod
// that cannot be scheduled has no container to crash.
func cause(pods []corev1.Pod, events []corev1.Event, owners []string) string {
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	for _, check := range []func(*corev1.Pod) string{unschedulable, imagePull, crashing, cannotStart, podFailed} {
		for i := range pods {
			if msg := check(&pods[i]); msg != "" {
				return msg
			}
		}
	}
	for _, o := range owners {
		if ev := lastEvent(events, o, "FailedCreate"); ev != nil {
			return fmt.Sprintf("%s %s cannot create pods: %s", ev.InvolvedObject.Kind, o, ev.Message)
		}
	}
	for i := range pods {
		p := &pods[i]
		if p.Status.Phase == corev1.PodRunning && !podReady(p) {
			msg := fmt.Sprintf("pod %s runs but never became ready: its readiness probe does not pass", p.Name)
			if ev := lastEvent(events, p.Name, "Unhealthy"); ev != nil {
				msg += " (" + ev.Message + ")"
			}
			return msg
		}
	}
	for i := range pods {
		if pods[i].Status.Phase == corev1.PodPending {
			return fmt.Sprintf("pod %s is still pending", pods[i].Name)
		}
	}
	if len(pods) == 0 {
		return "no pod of the new revision was created"
	}
	return "the new pods did not all become ready"
}

func unschedulable(p *corev1.Pod) string {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return fmt.Sprintf("pod %s cannot be scheduled (Unschedulable): %s", p.Name, c.Message)
		}
	}
	return ""
}

func waiting(p *corev1.Pod, reasons ...string) (*corev1.ContainerStatus, string) {
	all := append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...)
	for i := range all {
		if w := all[i].State.Waiting; w != nil {
			for _, r := range reasons {
				if w.Reason == r {
					return &all[i], r
				}
			}
		}
	}
	return nil, ""
}

func imagePull(p *corev1.Pod) string {
	cs, reason := waiting(p, "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")
	if cs == nil {
		return ""
	}
	return fmt.Sprintf("image %s of container %s in pod %s cannot be pulled (%s): %s", cs.Image, cs.Name, p.Name, reason, cs.State.Waiting.Message)
}

func crashing(p *corev1.Pod) string {
	cs, _ := waiting(p, "CrashLoopBackOff")
	if cs == nil {
		return ""
	}
	msg := fmt.Sprintf("container %s of pod %s keeps crashing (CrashLoopBackOff, %d restarts", cs.Name, p.Name, cs.RestartCount)
	if t := cs.LastTerminationState.Terminated; t != nil {
		msg += fmt.Sprintf(", last exit code %d", t.ExitCode)
		if t.Reason != "" && t.Reason != "Error" {
			msg += " " + t.Reason
		}
	}
	return msg + ")"
}

func cannotStart(p *corev1.Pod) string {
	cs, reason := waiting(p, "CreateContainerConfigError", "CreateContainerError", "RunContainerError")
	if cs == nil {
		return ""
	}
	return fmt.Sprintf("container %s of pod %s cannot start (%s): %s", cs.Name, p.Name, reason, cs.State.Waiting.Message)
}

func podFailed(p *corev1.Pod) string {
	if p.Status.Phase != corev1.PodFailed {
		return ""
	}
	msg := strings.TrimSpace(p.Status.Reason + " " + p.Status.Message)
	for _, cs := range p.Status.ContainerStatuses {
		if t := cs.State.Terminated; t != nil && t.ExitCode != 0 {
			msg = strings.TrimSpace(fmt.Sprintf("%s container %s exited with code %d %s", msg, cs.Name, t.ExitCode, t.Message))
		}
	}
	if msg == "" {
		msg = "no reason given"
	}
	return fmt.Sprintf("pod %s failed: %s", p.Name, msg)
}

// lastEvent is the newest event of reason about the object called name.
func lastEvent(events []corev1.Event, name, reason string) *corev1.Event {
	var last *corev1.Event
	for i := range events {
		ev := &events[i]
		if ev.InvolvedObject.Name != name || ev.Reason != reason {
			continue
		}
		if last == nil || eventTime(ev).After(eventTime(last)) {
			last = ev
		}
	}
	return last
}

func eventTime(ev *corev1.Event) time.Time {
	switch {
	case !ev.LastTimestamp.IsZero():
		return ev.LastTimestamp.Time
	case !ev.EventTime.IsZero():
		return ev.EventTime.Time
	}
	return ev.CreationTimestamp.Time
}
