package agent

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/egress"
)

func pod(name, rv string) agentproto.Object {
	return agentproto.Object{Kind: "Pod", Namespace: "ns", Name: name, UID: "uid-" + name, ResourceVersion: rv, Body: []byte(`{}`)}
}

func TestBufferOverflowTurnsIntoResync(t *testing.T) {
	b := newBuffer(3, 1<<20, []string{"Pod"})
	seq, _ := b.startSnapshot()
	for i, n := range []string{"a", "b", "c"} {
		b.add(agentproto.OpUpsert, pod(n, "1"))
		if b.needsResync() {
			t.Fatalf("resync after %d deltas, the limit is 3", i+1)
		}
	}
	d, sums := b.batch(10, 1<<20)
	if len(d) != 3 || d[0].Seq != seq+1 || d[2].Seq != seq+3 || sums == nil {
		t.Fatalf("batch: %+v %v", d, sums)
	}
	b.add(agentproto.OpUpsert, pod("d", "1")) // the fourth pending delta overflows
	if !b.needsResync() {
		t.Fatal("no resync after overflowing the buffer")
	}
	if d, _ := b.batch(10, 1<<20); len(d) != 0 {
		t.Fatalf("pending deltas kept after an overflow: %d", len(d))
	}
	// The snapshot that follows stands at the newest sequence number and
	// its checksums cover every object, the dropped ones too.
	seq2, sums2 := b.startSnapshot()
	want := agentproto.Checksum([]agentproto.Meta{{UID: "uid-a", ResourceVersion: "1"}, {UID: "uid-b", ResourceVersion: "1"},
		{UID: "uid-c", ResourceVersion: "1"}, {UID: "uid-d", ResourceVersion: "1"}})
	if seq2 != seq+4 || sums2["Pod"] != want {
		t.Fatalf("snapshot at %d with %v, want %d with %s", seq2, sums2, seq+4, want)
	}
}

func TestBufferBoundsBytesAndAcks(t *testing.T) {
	b := newBuffer(100, 10, []string{"Pod"})
	b.startSnapshot()
	big := pod("a", "1")
	big.Body = []byte(`{"x":"0123"}`) // 12 bytes, over the 10-byte bound
	b.add(agentproto.OpUpsert, big)
	if !b.needsResync() {
		t.Fatal("a body over the byte bound did not turn into a resync")
	}
	b.startSnapshot()
	b.add(agentproto.OpUpsert, pod("a", "2"))
	b.add(agentproto.OpDelete, pod("a", "2"))
	d, sums := b.batch(1, 1<<20)
	if len(d) != 1 || sums != nil {
		t.Fatalf("a partial batch carries checksums: %v", sums)
	}
	b.acked(d[0].Seq)
	d, sums = b.batch(10, 1<<20)
	if len(d) != 1 || d[0].Op != agentproto.OpDelete || d[0].Object.Body != nil || sums["Pod"] != agentproto.Checksum(nil) {
		t.Fatalf("after ack: %+v %v", d, sums)
	}
}

func TestBackoffIsJitteredAndCapped(t *testing.T) {
	a := &Agent{opts: Options{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second}}
	distinct := map[time.Duration]bool{}
	for n := range 40 {
		d := a.backoff(n)
		limit := min(100*time.Millisecond<<min(n, 16), time.Second)
		if d <= 0 || d > limit {
			t.Fatalf("attempt %d: %s, want (0, %s]", n, d, limit)
		}
		distinct[d] = true
	}
	if len(distinct) < 10 {
		t.Fatalf("only %d distinct delays in 40 attempts: no jitter", len(distinct))
	}
}

func TestSanitizeStripsValuesAndNoise(t *testing.T) {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata": map[string]any{"name": "s", "managedFields": []any{map[string]any{"manager": "kubectl"}},
			"annotations": map[string]any{lastApplied: `{"stringData":{"p":"secret"}}`, "team": "a"}},
		"data": map[string]any{"b": "c2VjcmV0", "a": "c2VjcmV0"}, "stringData": map[string]any{"p": "secret"}}}
	Privacy{}.sanitize("Secret", u)
	if _, ok := u.Object["data"]; ok {
		t.Error("data kept")
	}
	if _, ok := u.Object["stringData"]; ok {
		t.Error("stringData kept")
	}
	if _, ok, _ := unstructured.NestedFieldNoCopy(u.Object, "metadata", "managedFields"); ok {
		t.Error("managedFields kept")
	}
	if ann := u.GetAnnotations(); ann[lastApplied] != "" || ann["team"] != "a" {
		t.Errorf("annotations %v", ann)
	}
	if keys := u.Object["keys"].([]any); len(keys) != 2 || keys[0] != "a" || keys[1] != "b" {
		t.Errorf("keys %v", keys)
	}

	crd := &unstructured.Unstructured{Object: map[string]any{"kind": "CustomResourceDefinition", "metadata": map[string]any{"name": "rollouts.argoproj.io"},
		"spec": map[string]any{"group": "argoproj.io", "scope": "Namespaced", "names": map[string]any{"kind": "Rollout", "plural": "rollouts"},
			"versions": []any{map[string]any{"name": "v1alpha1", "served": true, "storage": true, "schema": map[string]any{"openAPIV3Schema": "huge"}}}},
		"status": map[string]any{"acceptedNames": "x"}}}
	Privacy{}.sanitize("CustomResourceDefinition", crd)
	if _, ok, _ := unstructured.NestedFieldNoCopy(crd.Object, "spec", "versions"); !ok {
		t.Fatal("versions dropped")
	}
	v := crd.Object["spec"].(map[string]any)["versions"].([]any)[0].(map[string]any)
	if _, ok := v["schema"]; ok || v["name"] != "v1alpha1" || crd.Object["status"] != nil {
		t.Errorf("CRD not trimmed: %v", crd.Object)
	}

	cm := &unstructured.Unstructured{Object: map[string]any{"kind": "ConfigMap", "metadata": map[string]any{"name": "c"}, "data": map[string]any{"k": "v"}}}
	Privacy{ConfigMapValues: true}.sanitize("ConfigMap", cm)
	if cm.Object["data"].(map[string]any)["k"] != "v" {
		t.Error("ConfigMap values hashed although opted in")
	}
}

// helmSecretData is a release Secret's data.release as the API returns it.
func helmSecretData(json string, zip bool) string {
	raw := []byte(json)
	if zip {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(raw)
		zw.Close()
		raw = b.Bytes()
	}
	return base64.StdEncoding.EncodeToString([]byte(base64.StdEncoding.EncodeToString(raw)))
}

func TestHelmReleaseMetadata(t *testing.T) {
	const rel = `{"name":"web","info":{"status":"failed","last_deployed":"2026-12-01T00:00:00Z"},"chart":{"metadata":{"name":"web-chart","version":"2.0.1","appVersion":"1.9"}},"manifest":"secret stuff"}`
	for _, zip := range []bool{true, false} {
		u := &unstructured.Unstructured{Object: map[string]any{"kind": "Secret", "type": helmReleaseType,
			"metadata": map[string]any{"name": "sh.helm.release.v1.web.v7", "namespace": "prod", "labels": map[string]any{"owner": "helm", "name": "web", "status": "failed", "version": "7"}},
			"data":     map[string]any{"release": helmSecretData(rel, zip)}}}
		Privacy{}.sanitize("Secret", u)
		got := u.Object[HelmReleaseField].(map[string]any)
		if got["chart"] != "web-chart" || got["chartVersion"] != "2.0.1" || got["appVersion"] != "1.9" || got["revision"] != int64(7) ||
			got["status"] != "failed" || got["namespace"] != "prod" || got["payload"] != nil {
			t.Errorf("gzip=%v: %v", zip, got)
		}
	}
	bad := &unstructured.Unstructured{Object: map[string]any{"kind": "Secret", "type": helmReleaseType,
		"metadata": map[string]any{"name": "x", "labels": map[string]any{"owner": "helm", "name": "x", "version": "1"}},
		"data":     map[string]any{"release": "!!!"}}}
	Privacy{}.sanitize("Secret", bad)
	if got := bad.Object[HelmReleaseField].(map[string]any); got["error"] == nil || got["name"] != "x" {
		t.Errorf("undecodable release: %v", got)
	}
}

func FuzzHelmPayload(f *testing.F) {
	f.Add(helmSecretData(`{"name":"a","chart":{"metadata":{"name":"c","version":"1"}}}`, true))
	f.Add(helmSecretData(`{"name":"a"}`, false))
	f.Add(helmSecretData(`{`, true))
	f.Add("not base64")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := decodeHelmPayload(s)
		if (h == nil) == (err == nil) {
			t.Fatalf("header %v with error %v", h, err)
		}
	})
}

// TestDefaultHTTPIsGuarded: without a client of its own the agent reaches
// the control plane through the guarded egress client, which refuses a
// loopback address nobody allowed.
func TestDefaultHTTPIsGuarded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	var o Options
	o.defaults()
	resp, err := o.HTTP.Get(srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("the default client reached %s on loopback", srv.URL)
	}
	if _, ok := egress.AsError(err); !ok {
		t.Fatalf("refused, but not by the egress guard: %v", err)
	}
}
