package clusterstate

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/usecapsule/capsule/internal/manifest"
)

func TestLoad(t *testing.T) {
	st, err := Load("testdata/prod")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Nodes) != 2 || len(st.Pods) != 2 || len(st.ResourceQuotas) != 1 || len(st.LimitRanges) != 1 {
		t.Fatalf("counts: nodes %d pods %d quotas %d limitranges %d", len(st.Nodes), len(st.Pods), len(st.ResourceQuotas), len(st.LimitRanges))
	}
	if st.KubeVersion != "1.33.5" {
		t.Errorf("KubeVersion = %q, want the lowest kubelet 1.33.5", st.KubeVersion)
	}
	gke, aws := st.Nodes[0], st.Nodes[1]
	if aws.Name != "ip-10-0-1-1" || aws.InstanceType != "m5.xlarge" || aws.Region != "us-east-1" || aws.Zone != "us-east-1a" || aws.Provider != "aws" || !aws.Spot {
		t.Errorf("aws node = %+v", aws)
	}
	if gke.InstanceType != "e2-standard-4" || gke.Region != "europe-west1" || gke.Provider != "" || gke.Spot {
		t.Errorf("gke node = %+v", gke)
	}
	// web-1: containers 500m + sidecar 100m = 600m; init 2 + sidecars before it (none) = 2 → 2;
	// + overhead 10m = 2010m. Memory: 512Mi (limit) + 64Mi = 576Mi vs 64Mi → 576Mi.
	// job-1 is Succeeded and adds nothing.
	cpu := aws.Requested[corev1.ResourceCPU]
	mem := aws.Requested[corev1.ResourceMemory]
	if cpu.MilliValue() != 2010 || mem.Value() != 576<<20 {
		t.Errorf("requested cpu %s memory %s, want 2010m 576Mi", cpu.String(), mem.String())
	}
	if len(gke.Requested) != 0 {
		t.Errorf("gke requested = %v, want empty", gke.Requested)
	}
}

func TestFromObjectsBadQuantity(t *testing.T) {
	objs, err := manifest.Parse("state.yaml", []byte("apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: node-b}\nstatus: {allocatable: {cpu: lots}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = FromObjects(objs)
	if err == nil || !strings.Contains(err.Error(), "state.yaml: document 1") || !strings.Contains(err.Error(), "Node/node-b") {
		t.Fatalf("err = %v, want it to name state.yaml document 1 and Node/node-b", err)
	}
}

func TestProviderFromLabels(t *testing.T) {
	n := corev1.Node{}
	n.Labels = map[string]string{"kubernetes.azure.com/scalesetpriority": "spot"}
	got := newNode(n, nil)
	if got.Provider != "azure" || !got.Spot {
		t.Errorf("got %+v", got)
	}
}

func TestFromObjectsAcceptsNewerFields(t *testing.T) {
	objs, err := manifest.Parse("state.yaml", []byte("apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\nspec: {fieldFromTheFuture: 1}\nstatus: {capacity: {cpu: \"2\"}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := FromObjects(objs)
	if err != nil || len(st.Nodes) != 1 {
		t.Fatalf("err = %v", err)
	}
}
