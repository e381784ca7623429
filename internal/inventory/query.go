package inventory

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/google/uuid"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/agentproto"
)

// ClusterStatus is a cluster's agent health and picture.
type ClusterStatus struct {
	ClusterID string `json:"clusterId"`
	// Status is the current agent's: online, offline, pending, or "none"
	// when no agent was ever registered.
	Status        string         `json:"status"`
	Agent         *Agent         `json:"agent,omitempty"`
	LastHeartbeat *time.Time     `json:"lastHeartbeat,omitempty"`
	AgentVersion  string         `json:"agentVersion,omitempty"`
	KubeVersion   string         `json:"clusterVersion,omitempty"`
	Counts        map[string]int `json:"counts"`
	ObjectCount   int            `json:"objectCount"`
}

// effective is the agent's status as of now: an online agent whose
// heartbeats stopped is offline even before the sweep records it.
func (s *Service) effective(a Agent) string {
	if a.RevokedAt != nil {
		return StatusRevoked
	}
	last := a.RegisteredAt
	if a.LastHeartbeat != nil {
		last = *a.LastHeartbeat
	}
	if (a.Status == StatusOnline || a.Status == StatusPending) && s.now().Sub(last) > s.offlineAfter() {
		return StatusOffline
	}
	return a.Status
}

// Agents lists a cluster's agents, newest first, with their effective status.
func (s *Service) Agents(ctx context.Context, clusterID string) ([]Agent, error) {
	as, err := s.store.ListAgents(ctx, clusterID)
	if err != nil {
		return nil, err
	}
	for i := range as {
		as[i].Status = s.effective(as[i])
	}
	return as, nil
}

// Agent returns one agent with its effective status.
func (s *Service) Agent(ctx context.Context, id string) (*Agent, error) {
	a, err := s.store.GetAgent(ctx, id)
	if err != nil {
		return nil, err
	}
	a.Status = s.effective(*a)
	return a, nil
}

// Status returns the cluster's agent health and object counts.
func (s *Service) Status(ctx context.Context, clusterID string) (*ClusterStatus, error) {
	as, err := s.Agents(ctx, clusterID)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.Counts(ctx, clusterID)
	if err != nil {
		return nil, err
	}
	st := &ClusterStatus{ClusterID: clusterID, Status: "none", Counts: counts}
	for _, n := range counts {
		st.ObjectCount += n
	}
	for i := range as {
		if as[i].RevokedAt == nil {
			a := as[i]
			st.Agent, st.Status, st.LastHeartbeat = &a, a.Status, a.LastHeartbeat
			st.AgentVersion, st.KubeVersion = a.AgentVersion, a.ClusterVersion
			break
		}
	}
	return st, nil
}

// Objects lists a cluster's objects, optionally of one kind and namespace.
func (s *Service) Objects(ctx context.Context, clusterID, kind, namespace string) ([]agentproto.Object, error) {
	return s.store.Objects(ctx, clusterID, kind, namespace)
}

// ObjectsPage is one page of Objects, by kind, namespace and name; cursor
// is the previous page's next cursor ("" for the first page), and the
// returned cursor is "" on the last page.
func (s *Service) ObjectsPage(ctx context.Context, clusterID, kind, namespace, cursor string, limit int) ([]agentproto.Object, string, error) {
	var after agentproto.Key
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		var k []string
		if err == nil {
			err = json.Unmarshal(raw, &k)
		}
		if err != nil || len(k) != 3 {
			return nil, "", &capsule.Error{Kind: capsule.KindInvalid, Code: capsule.CodeInvalidParameter,
				Message: "cursor is not a cursor this route returned", Details: map[string]any{"fields": []map[string]string{{"field": "cursor", "message": "malformed"}}}}
		}
		after = agentproto.Key{Kind: k[0], Namespace: k[1], Name: k[2]}
	}
	objs, err := s.store.ObjectsAfter(ctx, clusterID, kind, namespace, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	if len(objs) <= limit {
		return objs, "", nil
	}
	objs = objs[:limit]
	last := objs[limit-1]
	next, _ := json.Marshal([]string{last.Kind, last.Namespace, last.Name})
	return objs, base64.RawURLEncoding.EncodeToString(next), nil
}

// HelmRelease is a release's latest revision, from its release Secret.
type HelmRelease struct {
	Name         string `json:"name"`
	Namespace    string `json:"namespace"`
	Chart        string `json:"chart"`
	ChartVersion string `json:"chartVersion"`
	AppVersion   string `json:"appVersion,omitempty"`
	Status       string `json:"status"`
	Revision     int64  `json:"revision"`
	LastDeployed string `json:"lastDeployed,omitempty"`
}

// HelmReleases lists the cluster's Helm releases (latest revision each),
// by namespace and name.
func (s *Service) HelmReleases(ctx context.Context, clusterID string) ([]HelmRelease, error) {
	secrets, err := s.store.Objects(ctx, clusterID, "Secret", "")
	if err != nil {
		return nil, err
	}
	latest := map[[2]string]HelmRelease{}
	for _, o := range secrets {
		var body struct {
			Rel *HelmRelease `json:"helmRelease"`
		}
		if json.Unmarshal(o.Body, &body) != nil || body.Rel == nil {
			continue
		}
		k := [2]string{body.Rel.Namespace, body.Rel.Name}
		if cur, ok := latest[k]; !ok || body.Rel.Revision > cur.Revision {
			latest[k] = *body.Rel
		}
	}
	out := make([]HelmRelease, 0, len(latest))
	for _, r := range latest {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// stateKinds are the kinds internal/clusterstate reads.
var stateKinds = []string{"Node", "Pod", "ResourceQuota", "LimitRange"}

// TakeSnapshot stores a point-in-time copy of the cluster's state in the
// form a preview reads as its cluster state (a v1 List of the kinds
// internal/clusterstate uses).
func (s *Service) TakeSnapshot(ctx context.Context, clusterID, createdBy string) (*SnapshotRecord, error) {
	rec := &SnapshotRecord{ID: uuid.Must(uuid.NewV7()).String(), ClusterID: clusterID, CreatedAt: s.now().UTC(),
		CreatedBy: createdBy, Counts: map[string]int{}}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	io.WriteString(zw, `{"apiVersion":"v1","kind":"List","items":[`)
	for _, kind := range stateKinds {
		objs, err := s.store.Objects(ctx, clusterID, kind, "")
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			if rec.ObjectCount > 0 {
				io.WriteString(zw, ",")
			}
			zw.Write(o.Body)
			rec.ObjectCount++
			rec.Counts[kind]++
		}
	}
	io.WriteString(zw, "]}\n")
	if err := zw.Close(); err != nil {
		return nil, err
	}
	if err := s.store.CreateSnapshot(ctx, rec, buf.Bytes()); err != nil {
		return nil, err
	}
	return rec, nil
}

// Snapshots lists a cluster's stored snapshots, newest first.
func (s *Service) Snapshots(ctx context.Context, clusterID string) ([]SnapshotRecord, error) {
	return s.store.ListSnapshots(ctx, clusterID)
}

// SnapshotState returns a stored snapshot's cluster state (a JSON v1 List).
func (s *Service) SnapshotState(ctx context.Context, clusterID, id string) (*SnapshotRecord, []byte, error) {
	rec, gz, err := s.store.GetSnapshot(ctx, clusterID, id)
	if err != nil {
		return nil, nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, nil, fmt.Errorf("inventory: snapshot %s: %w", id, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, nil, fmt.Errorf("inventory: snapshot %s: %w", id, err)
	}
	return rec, data, nil
}
