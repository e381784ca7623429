package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// target is a workload whose rollout is followed.
// gen is the generation the engine applied: until the watch has seen it,
// the cached object is older than the apply and says nothing about it.
type target struct {
	kind, name string
	gen        int64
}

func (t target) status(w *watcher, ns string) status {
	if t.kind == "StatefulSet" {
		return statefulSetStatus(w, ns, t.name, t.gen)
	}
	return deploymentStatus(w, ns, t.name, t.gen)
}

// workloadsOf are the rollout targets among objs (CronJobs have none: they
// run on their schedule).
func workloadsOf(objs []*unstructured.Unstructured) []target {
	var out []target
	for _, o := range objs {
		if k := o.GetKind(); k == "Deployment" || k == "StatefulSet" {
			out = append(out, target{kind: k, name: o.GetName()})
		}
	}
	return out
}

// follow waits until every target has rolled out, reporting progress on
// each change. It fails when the cluster says a rollout cannot go on, or
// when no new pod became Ready for deadline: the deadline restarts each
// time the count of Ready new pods grows.
func (e *Engine) follow(ctx context.Context, w *watcher, ns string, targets []target, deadline time.Duration, phase string, report func(Progress)) (status, error) {
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	lastReady := -1
	var last Progress
	for {
		st := status{done: true}
		for _, t := range targets {
			st.add(t.status(w, ns))
		}
		if st.ready > lastReady {
			lastReady = st.ready
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
			timer.Reset(deadline)
		}
		p := Progress{Phase: phase, Percent: st.percent(), Desired: st.desired, Running: st.running, Ready: st.ready,
			Message: fmt.Sprintf("%d of %d new pods ready", st.ready, st.desired)}
		if p != last {
			last = p
			report(p)
		}
		switch {
		case st.done:
			return st, nil
		case st.failure != "":
			msg := st.failure
			// A pod-level cause adds to the controller's words; its own
			// FailedCreate event would only repeat them.
			if c := cause(st.pods, w.events(), st.owners); !strings.Contains(c, "cannot create pods") {
				msg += "; " + c
			}
			return st, &RolloutError{Reason: reasonOf(st.failure), Message: msg}
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-w.changed:
		case <-timer.C:
			return st, &RolloutError{Reason: "ProgressDeadlineExceeded",
				Message: fmt.Sprintf("ProgressDeadlineExceeded: no new pod became ready for %s; %s", deadline, cause(st.pods, w.events(), st.owners))}
		}
	}
}

func reasonOf(failure string) string {
	if strings.HasPrefix(failure, "ProgressDeadlineExceeded") {
		return "ProgressDeadlineExceeded"
	}
	return "ReplicaFailure"
}
