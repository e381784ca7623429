// Package drift finds what changed in an environment behind Capsule's back:
// the live state (the agent's picture) against the desired state (what the
// last successful deployments applied), through internal/diff so that only
// intent is compared.
//
// Design decisions:
//   - Real drift only. Before comparing, both sides go through the diff
//     engine's normalization (status, server-set metadata, API defaults,
//     controller-written labels), and drift adds what is particular to a
//     live picture: a workload's replicas are not compared when a
//     HorizontalPodAutoscaler of the desired set scales it; the pod
//     template's restartedAt annotation (kubectl rollout restart) is
//     dropped from both sides: a restart is not a change of intent. A
//     Deployment's progressDeadlineSeconds is the engine's (from the
//     server's deploy progress deadline), not the service's. Objects of
//     kinds the agent does not mirror (ServiceAccounts, RBAC) are left
//     out: they cannot be seen, so their drift is unknown, not "missing".
//   - Blue-green services are compared in the colour that serves (see
//     asServed); the idle colour the engine keeps for a switch back is not
//     extra.
//   - Secret values are never compared: the agent keeps no Secret values,
//     only their key names, so a desired Secret is reduced to its sorted
//     key names and only added or removed keys are drift. A Secret whose
//     value alone was changed by hand is not detected.
//   - ConfigMap values are compared by SHA-256, the form the agent sends
//     by default: the desired values are hashed the same way (and live
//     values sent in clear are hashed too), so a changed value is drift
//     and no value is shown in the result.
//   - Statuses: modified (in both, fields differ: path, desired, live),
//     missing (desired, not live: deleted by hand), extra (live with
//     Capsule's labels for the environment's services, not desired: left
//     behind). Paths are JSON pointers.
//   - A state with source none cannot be compared: Compare refuses a live
//     state of source none (the caller says why), while a desired state of
//     source none compares as an empty set (nothing was deployed, so every
//     Capsule object found live is extra).
package drift

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/diff"
	"github.com/usecapsule/capsule/internal/envstate"
	"github.com/usecapsule/capsule/internal/manifest"
)

// Status says how an object drifted.
type Status string

// The drift statuses.
const (
	Modified Status = "modified"
	Missing  Status = "missing"
	Extra    Status = "extra"
)

// Change is one field that differs between desired and live.
type Change struct {
	Path    string `json:"path"`
	Desired any    `json:"desired"`
	Live    any    `json:"live"`
}

// Object is one drifted object.
type Object struct {
	Kind      string   `json:"kind"`
	Namespace string   `json:"namespace,omitempty"`
	Name      string   `json:"name"`
	Status    Status   `json:"status"`
	Changes   []Change `json:"changes,omitempty"`
}

// Result is an environment's drift.
type Result struct {
	EnvironmentID string          `json:"environment_id"`
	CheckedAt     time.Time       `json:"checked_at"`
	InSync        bool            `json:"in_sync"`
	DesiredSource envstate.Source `json:"desired_source"`
	LiveSource    envstate.Source `json:"live_source"`
	Objects       []Object        `json:"objects"`
}

// Compare returns the drift of live from desired for environment envID.
func Compare(envID string, desired, live envstate.State, now time.Time) (*Result, error) {
	if live.Source == envstate.SourceNone {
		return nil, fmt.Errorf("drift: environment %s has no live state to compare", envID)
	}
	want, got := asServed(observable(desired.Objects, live.Kinds), live.Objects)
	want, got = sharedForm(want), sharedForm(got)
	ignore := append(hpaScaled(want), engineOwned...)
	res, err := diff.Compute(want, got, diff.Options{MatchNamespace: true, Ignore: ignore})
	if err != nil {
		return nil, fmt.Errorf("drift: environment %s: %w", envID, err)
	}
	out := &Result{EnvironmentID: envID, CheckedAt: now.UTC(), DesiredSource: desired.Source, LiveSource: live.Source, Objects: []Object{}}
	for _, od := range res.Objects {
		o := Object{Kind: od.ID.Kind, Namespace: od.ID.Namespace, Name: od.ID.Name}
		switch od.Status {
		case diff.StatusAdded:
			o.Status = Extra
		case diff.StatusRemoved:
			o.Status = Missing
		case diff.StatusModified:
			o.Status = Modified
			for _, c := range od.Changes {
				o.Changes = append(o.Changes, Change{Path: c.Path, Desired: c.From, Live: c.To})
			}
		default:
			continue
		}
		out.Objects = append(out.Objects, o)
	}
	sort.SliceStable(out.Objects, func(i, j int) bool {
		a, b := out.Objects[i], out.Objects[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	out.InSync = len(out.Objects) == 0
	return out, nil
}

// restartedAt is the pod template annotation `kubectl rollout restart`
// writes: a restart, not a change of intent.
const restartedAt = "kubectl.kubernetes.io/restartedAt"

// dropRestart removes restartedAt from a workload's pod template (and the
// annotations map it leaves empty).
func dropRestart(m map[string]any) {
	ann, ok, _ := unstructured.NestedMap(m, "spec", "template", "metadata", "annotations")
	if !ok {
		return
	}
	if _, ok := ann[restartedAt]; !ok {
		return
	}
	delete(ann, restartedAt)
	if len(ann) == 0 {
		unstructured.RemoveNestedField(m, "spec", "template", "metadata", "annotations")
		return
	}
	_ = unstructured.SetNestedMap(m, ann, "spec", "template", "metadata", "annotations")
}

// engineOwned are fields the deploy engine sets from its own settings at
// apply time, not from the service's configuration: a Deployment's
// progress deadline is the server's --deploy-progress-deadline.
var engineOwned = []diff.IgnoreRule{{Group: "apps", Kind: "Deployment", JSONPointers: []string{"/spec/progressDeadlineSeconds"}}}

// observable keeps the objects of kinds (all when kinds is nil): what the
// live side cannot hold cannot have drifted.
func observable(objs []manifest.Object, kinds []string) []manifest.Object {
	if kinds == nil {
		return objs
	}
	out := make([]manifest.Object, 0, len(objs))
	for _, o := range objs {
		if slices.Contains(kinds, o.GetKind()) {
			out = append(out, o)
		}
	}
	return out
}

// hpaScaled is one ignore rule per workload an autoscaler of the set
// scales: its replicas belong to the autoscaler.
func hpaScaled(objs []manifest.Object) []diff.IgnoreRule {
	var rules []diff.IgnoreRule
	for _, o := range objs {
		if o.GetKind() != "HorizontalPodAutoscaler" {
			continue
		}
		kind, _, _ := unstructured.NestedString(o.Object, "spec", "scaleTargetRef", "kind")
		name, _, _ := unstructured.NestedString(o.Object, "spec", "scaleTargetRef", "name")
		api, _, _ := unstructured.NestedString(o.Object, "spec", "scaleTargetRef", "apiVersion")
		if kind == "" || name == "" {
			continue
		}
		group, _, _ := strings.Cut(api, "/")
		if !strings.Contains(api, "/") {
			group = ""
		}
		rules = append(rules, diff.IgnoreRule{Group: group, Kind: kind, Name: name, Namespace: o.GetNamespace(),
			JSONPointers: []string{"/spec/replicas"}})
	}
	return rules
}

// sharedForm returns copies of objs in the form both sides share: Secrets
// as their key names, ConfigMap values as hashes.
func sharedForm(objs []manifest.Object) []manifest.Object {
	out := make([]manifest.Object, len(objs))
	for i, o := range objs {
		c := o
		switch o.GetKind() {
		case "Secret":
			c.Unstructured = o.DeepCopy()
			secretKeys(c.Object)
		case "ConfigMap":
			c.Unstructured = o.DeepCopy()
			hashValues(c.Object, "data")
			hashValues(c.Object, "binaryData")
		default:
			if _, ok, _ := unstructured.NestedFieldNoCopy(o.Object, "spec", "template", "metadata", "annotations", restartedAt); ok {
				c.Unstructured = o.DeepCopy()
				dropRestart(c.Object)
			}
		}
		out[i] = c
	}
	return out
}

// secretKeys replaces a Secret's data and stringData by the sorted names
// of its keys (a live picture's Secret has the names already).
func secretKeys(m map[string]any) {
	names := map[string]bool{}
	if keys, ok := m["keys"].([]any); ok {
		for _, k := range keys {
			if s, ok := k.(string); ok {
				names[s] = true
			}
		}
	}
	for _, f := range []string{"data", "stringData"} {
		if d, ok := m[f].(map[string]any); ok {
			for k := range d {
				names[k] = true
			}
		}
		delete(m, f)
	}
	delete(m, "keys")
	if len(names) == 0 {
		return
	}
	list := make([]string, 0, len(names))
	for k := range names {
		list = append(list, k)
	}
	sort.Strings(list)
	keys := make([]any, len(list))
	for i, k := range list {
		keys[i] = k
	}
	m["keys"] = keys
}

// hashPrefix marks a value the agent replaced by its hash.
const hashPrefix = "sha256:"

// hashValues replaces each value of the string map at field by
// "sha256:<hex>", leaving values already in that form alone.
func hashValues(m map[string]any, field string) {
	d, ok := m[field].(map[string]any)
	if !ok {
		return
	}
	for k, v := range d {
		s, _ := v.(string)
		if isHash(s) {
			continue
		}
		sum := sha256.Sum256([]byte(s))
		d[k] = hashPrefix + hex.EncodeToString(sum[:])
	}
}

func isHash(s string) bool {
	h, ok := strings.CutPrefix(s, hashPrefix)
	if !ok || len(h) != 2*sha256.Size {
		return false
	}
	_, err := hex.DecodeString(h)
	return err == nil
}
