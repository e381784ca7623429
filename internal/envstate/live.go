package envstate

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/agent"
	"github.com/usecapsule/capsule/internal/deploy"
	"github.com/usecapsule/capsule/internal/inventory"
	"github.com/usecapsule/capsule/internal/manifest"
)

// Live is the agent's picture of what Capsule manages for svc (nil: every
// service of the environment's project) in the environment's namespace;
// source none when the environment has no cluster or no agent has
// reported it yet.
func (r *Reader) Live(ctx context.Context, env *capsule.Environment, svc *capsule.Service) (State, error) {
	if env.ClusterID == "" {
		return State{Source: SourceNone}, nil
	}
	rep, err := r.reporter(ctx, env.ClusterID)
	if err != nil || rep == nil {
		return State{Source: SourceNone}, err
	}
	svcs, err := r.services(ctx, env, svc)
	if err != nil {
		return State{}, err
	}
	names := make(map[string]bool, len(svcs))
	for _, s := range svcs {
		names[s.Name] = true
	}
	objs, err := r.Inventory.Objects(ctx, env.ClusterID, "", env.Namespace)
	if err != nil {
		return State{}, err
	}
	st := State{Source: SourceAgent, Objects: []manifest.Object{}, Kinds: agent.WatchedKinds(), ObservedAt: rep.RegisteredAt}
	if rep.LastHeartbeat != nil {
		st.ObservedAt = *rep.LastHeartbeat
	}
	file := "agent:" + env.ClusterID
	namespaces, err := r.Inventory.Objects(ctx, env.ClusterID, "Namespace", "")
	if err != nil {
		return State{}, err
	}
	for _, o := range namespaces {
		if o.Name == env.Namespace {
			objs = append(objs, o)
		}
	}
	for _, o := range objs {
		// Most of a namespace's objects (its pods) are not Capsule's to
		// compare: skip those whose body cannot hold the owner label
		// before decoding them.
		if o.Kind != "Namespace" && !bytes.Contains(o.Body, serviceLabel) {
			continue
		}
		u := &unstructured.Unstructured{}
		if err := json.Unmarshal(o.Body, &u.Object); err != nil {
			return State{}, fmt.Errorf("envstate: the picture of cluster %s holds an unreadable %s: %w", env.ClusterID, o.Key(), err)
		}
		if u.Object == nil || u.GetKind() == "" {
			continue
		}
		l := u.GetLabels()
		if l[deploy.LabelManagedBy] != "capsule" {
			continue
		}
		if u.GetKind() != "Namespace" && !names[l[deploy.LabelService]] {
			continue
		}
		st.Objects = append(st.Objects, manifest.Object{Unstructured: u, File: file})
	}
	sortObjects(st.Objects)
	return st, nil
}

// serviceLabel is the owner label's key as it appears in a JSON body.
var serviceLabel = []byte(`"` + deploy.LabelService + `"`)

// reporter is the cluster's current agent when it has committed a full
// snapshot, nil otherwise.
func (r *Reader) reporter(ctx context.Context, clusterID string) (*inventory.Agent, error) {
	agents, err := r.Inventory.ListAgents(ctx, clusterID)
	if err != nil {
		return nil, err
	}
	for i := range agents {
		a := agents[i]
		if a.RevokedAt == nil && a.Session != "" {
			return &a, nil
		}
	}
	return nil, nil
}

// sortObjects orders objects by kind, namespace and name, so two reads of
// one state list them alike.
func sortObjects(objs []manifest.Object) {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i].ID(), objs[j].ID()
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
}
