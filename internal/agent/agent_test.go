package agent_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/usecapsule/capsule/internal/agent"
	"github.com/usecapsule/capsule/internal/clusterstate"
	"github.com/usecapsule/capsule/internal/inventory"
	"github.com/usecapsule/capsule/internal/testenv"
)

var compared = map[string]schema.GroupVersionResource{
	"Pod":        {Version: "v1", Resource: "pods"},
	"ConfigMap":  {Version: "v1", Resource: "configmaps"},
	"Secret":     {Version: "v1", Resource: "secrets"},
	"Service":    {Version: "v1", Resource: "services"},
	"Deployment": {Group: "apps", Version: "v1", Resource: "deployments"},
	"ReplicaSet": {Group: "apps", Version: "v1", Resource: "replicasets"},
}

func admin(t testing.TB, c *testenv.Cluster) dynamic.Interface {
	t.Helper()
	d, err := dynamic.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// clusterView lists the compared kinds of namespace ns as "Kind/name uid rv".
func clusterView(t *testing.T, d dynamic.Interface, ns string) []string {
	t.Helper()
	var out []string
	for kind, gvr := range compared {
		l, err := d.Resource(gvr).Namespace(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range l.Items {
			out = append(out, fmt.Sprintf("%s/%s %s %s", kind, o.GetName(), o.GetUID(), o.GetResourceVersion()))
		}
	}
	sort.Strings(out)
	return out
}

// inventoryView is the same list from the control plane's picture.
func inventoryView(t *testing.T, cp *controlPlane, cluster, ns string) []string {
	t.Helper()
	objs, err := cp.inv.Objects(context.Background(), cluster, "", ns)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		if _, ok := compared[o.Kind]; ok {
			out = append(out, fmt.Sprintf("%s/%s %s %s", o.Kind, o.Name, o.UID, o.ResourceVersion))
		}
	}
	sort.Strings(out)
	return out
}

// converges waits until the picture equals the cluster, object by object.
func converges(t *testing.T, cp *controlPlane, d dynamic.Interface, cluster, ns, what string) {
	t.Helper()
	eventually(t, 30*time.Second, what, func() (bool, string) {
		want, got := clusterView(t, d, ns), inventoryView(t, cp, cluster, ns)
		return strings.Join(want, "\n") == strings.Join(got, "\n"), fmt.Sprintf("cluster:\n%s\ninventory:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	})
}

func create(t testing.TB, d dynamic.Interface, ns string, gvr schema.GroupVersionResource, obj map[string]any) {
	t.Helper()
	u := &unstructured.Unstructured{Object: obj}
	if _, err := d.Resource(gvr).Namespace(ns).Create(context.Background(), u, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create %s %s: %v", gvr.Resource, u.GetName(), err)
	}
}

func configMap(name string, data map[string]any) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": name}, "data": data}
}

func secret(name, typ string, labels map[string]any, data map[string]any) map[string]any {
	return map[string]any{"apiVersion": "v1", "kind": "Secret", "type": typ,
		"metadata": map[string]any{"name": name, "labels": labels}, "stringData": data}
}

// storedBytes is every byte the control plane's database holds on disk.
func storedBytes(t *testing.T, cp *controlPlane) []byte {
	t.Helper()
	var all []byte
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(cp.dsn + suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// helmPayload encodes a release as Helm stores it: base64 of gzipped JSON.
func helmPayload(t *testing.T, secretValue string) string {
	t.Helper()
	rel := map[string]any{"name": "shop", "version": 3, "info": map[string]any{"status": "deployed", "last_deployed": "2026-12-01T10:00:00Z"},
		"chart":  map[string]any{"metadata": map[string]any{"name": "shop-chart", "version": "1.2.3", "appVersion": "4.5"}},
		"config": map[string]any{"password": secretValue}, "manifest": "kind: Secret\nstringData: {password: " + secretValue + "}\n"}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	json.NewEncoder(zw).Encode(rel)
	zw.Close()
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

func TestAgentMirrorsTheClusterWithoutSecretValues(t *testing.T) {
	t.Parallel()
	c := testenv.Shared(t)
	ns := c.Namespace(t)
	d := admin(t, c)
	const secretValue = "s3cr3t-value-never-leaves-7f3a"
	const helmSecretValue = "helm-values-password-91bd"
	cmGVR, secretGVR := compared["ConfigMap"], compared["Secret"]
	create(t, d, ns, cmGVR, configMap("settings", map[string]any{"color": "blue"}))
	create(t, d, ns, secretGVR, secret("db", "Opaque", nil, map[string]any{"password": secretValue, "user": "app"}))
	create(t, d, ns, secretGVR, map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
		"metadata": map[string]any{"name": "sh.helm.release.v1.shop.v3", "labels": map[string]any{"owner": "helm", "name": "shop", "status": "deployed", "version": "3"}},
		"data":     map[string]any{"release": base64.StdEncoding.EncodeToString([]byte(helmPayload(t, helmSecretValue)))}})

	cp := startControlPlane(t)
	cluster := "cluster-" + ns
	runAgent(t, c, cp.url(), cp.joinToken(t, cluster), "", agent.Privacy{})
	converges(t, cp, d, cluster, ns, "initial sync")

	// A change in the cluster reaches the picture.
	create(t, d, ns, cmGVR, configMap("added-later", map[string]any{"k": "v"}))
	if err := d.Resource(secretGVR).Namespace(ns).Delete(context.Background(), "db", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	converges(t, cp, d, cluster, ns, "after a create and a delete")
	create(t, d, ns, secretGVR, secret("db2", "Opaque", nil, map[string]any{"password": secretValue}))
	converges(t, cp, d, cluster, ns, "after a second secret")

	objs, err := cp.inv.Objects(context.Background(), cluster, "ConfigMap", ns)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("blue"))
	for _, o := range objs {
		if o.Name != "settings" {
			continue
		}
		var body struct{ Data map[string]string }
		json.Unmarshal(o.Body, &body)
		if want := "sha256:" + hex.EncodeToString(sum[:]); body.Data["color"] != want {
			t.Errorf("ConfigMap value sent as %q, want %q", body.Data["color"], want)
		}
	}
	secrets, _ := cp.inv.Objects(context.Background(), cluster, "Secret", ns)
	for _, o := range secrets {
		var body map[string]any
		json.Unmarshal(o.Body, &body)
		if _, ok := body["data"]; ok {
			t.Errorf("Secret %s sent with data", o.Name)
		}
		if o.Name == "db2" && fmt.Sprint(body["keys"]) != "[password]" {
			t.Errorf("Secret db2 keys = %v, want [password]", body["keys"])
		}
	}
	all, err := cp.inv.HelmReleases(context.Background(), cluster)
	var rels []inventory.HelmRelease
	for _, r := range all {
		if r.Namespace == ns { // the shared cluster holds other tests' namespaces
			rels = append(rels, r)
		}
	}
	if err != nil || len(rels) != 1 {
		t.Fatalf("helm releases: %+v %v", rels, err)
	}
	if r := rels[0]; r.Name != "shop" || r.Chart != "shop-chart" || r.ChartVersion != "1.2.3" || r.Revision != 3 || r.Status != "deployed" || r.Namespace != ns {
		t.Errorf("helm release %+v", r)
	}

	// A stored snapshot is a cluster state the preview engines read.
	rec, err := cp.inv.TakeSnapshot(context.Background(), cluster, "user-1")
	if err != nil {
		t.Fatal(err)
	}
	_, state, err := cp.inv.SnapshotState(context.Background(), cluster, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(file, state, 0o600); err != nil {
		t.Fatal(err)
	}
	cs, err := clusterstate.Load(file)
	if err != nil {
		t.Fatalf("the snapshot is no cluster state: %v", err)
	}
	nodes, err := d.Resource(schema.GroupVersionResource{Version: "v1", Resource: "nodes"}).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Nodes) != len(nodes.Items) || len(cs.Nodes) == 0 || rec.Counts["Node"] != len(nodes.Items) {
		t.Errorf("snapshot state: %d nodes (cluster %d), counts %v", len(cs.Nodes), len(nodes.Items), rec.Counts)
	}

	// Whatever the database holds on disk, no secret value is in it, in
	// clear or in the API's base64.
	stored := storedBytes(t, cp)
	for _, v := range []string{secretValue, helmSecretValue, base64.StdEncoding.EncodeToString([]byte(secretValue)), "blue"} {
		if bytes.Contains(stored, []byte(v)) {
			t.Errorf("the control plane's database holds %q", v)
		}
	}
	if !bytes.Contains(stored, []byte("added-later")) {
		t.Error("the stored-bytes check reads the wrong file: it does not even hold the ConfigMap's name")
	}
}

func TestReadOnlyTransportRefusesWrites(t *testing.T) {
	t.Parallel()
	c := testenv.Shared(t)
	ns := c.Namespace(t)
	ro, err := dynamic.NewForConfig(agent.ReadOnlyConfig(c.Config)) // admin credentials: only the transport stops it
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: configMap("must-not-exist", map[string]any{"a": "b"})}
	_, err = ro.Resource(compared["ConfigMap"]).Namespace(ns).Create(context.Background(), u, metav1.CreateOptions{})
	if !errors.Is(err, agent.ErrWriteRefused) || !strings.Contains(err.Error(), "POST") || !strings.Contains(err.Error(), "/namespaces/"+ns+"/configmaps") {
		t.Fatalf("create through the read-only config: %v", err)
	}
	err = ro.Resource(compared["ConfigMap"]).Namespace(ns).Delete(context.Background(), "kube-root-ca.crt", metav1.DeleteOptions{})
	if !errors.Is(err, agent.ErrWriteRefused) || !strings.Contains(err.Error(), "DELETE") {
		t.Fatalf("delete through the read-only config: %v", err)
	}
	if _, err := ro.Resource(compared["ConfigMap"]).Namespace(ns).List(context.Background(), metav1.ListOptions{}); err != nil {
		t.Fatalf("list through the read-only config: %v", err)
	}
	if _, err := admin(t, c).Resource(compared["ConfigMap"]).Namespace(ns).Get(context.Background(), "must-not-exist", metav1.GetOptions{}); err == nil {
		t.Fatal("the refused create reached the cluster")
	}
}

func TestAgentSurvivesRestartsAndNetworkCuts(t *testing.T) {
	t.Parallel()
	c := testenv.Shared(t)
	ns := c.Namespace(t)
	d := admin(t, c)
	cmGVR := compared["ConfigMap"]
	create(t, d, ns, cmGVR, configMap("first", map[string]any{"k": "1"}))
	cp := startControlPlane(t)
	cluster := "cluster-" + ns
	state := filepath.Join(t.TempDir(), "agent.json")
	stop := runAgent(t, c, cp.url(), cp.joinToken(t, cluster), state, agent.Privacy{})
	converges(t, cp, d, cluster, ns, "initial sync")

	// The control plane restarts; changes made meanwhile arrive afterwards.
	cp.restart()
	create(t, d, ns, cmGVR, configMap("during-cp-restart", map[string]any{"k": "2"}))
	converges(t, cp, d, cluster, ns, "after a control plane restart")

	// The agent restarts with its stored credential (the join token is spent).
	stop()
	create(t, d, ns, cmGVR, configMap("while-agent-down", map[string]any{"k": "3"}))
	if err := d.Resource(cmGVR).Namespace(ns).Delete(context.Background(), "first", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	// This agent's buffer holds 3 changes: a longer cut overflows it.
	runAgent(t, c, cp.url(), "", state, agent.Privacy{}, func(o *agent.Options) { o.BufferDeltas = 3 })
	converges(t, cp, d, cluster, ns, "after an agent restart")
	session := func() string {
		agents, err := cp.inv.Agents(context.Background(), cluster)
		if err != nil || len(agents) == 0 {
			t.Fatalf("agents: %v %v", agents, err)
		}
		a, err := cp.inv.Store().GetAgent(context.Background(), agents[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		return a.Session
	}
	before := session()

	// The network is cut, the cluster changes more than the buffer holds,
	// the network comes back: the agent resyncs with a snapshot.
	cp.proxy.cut()
	for i := range 5 {
		create(t, d, ns, cmGVR, configMap(fmt.Sprintf("during-cut-%d", i), map[string]any{"k": "4"}))
	}
	time.Sleep(time.Second) // the agent retries into the cut at least once
	cp.proxy.restore()
	converges(t, cp, d, cluster, ns, "after the network came back")
	if session() == before {
		t.Error("the overflowing cut did not end in a resync (same snapshot session)")
	}

	agents, err := cp.inv.Agents(context.Background(), cluster)
	if err != nil || len(agents) != 1 {
		t.Fatalf("agents: %+v %v (a restarted agent must stay the same agent)", agents, err)
	}
}
