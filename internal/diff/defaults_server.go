package diff

// Fields that the API server or a controller writes into a live object and
// whose value depends on other fields, so they cannot be plain defaults.

// jobLabels are the labels and selector the Job controller adds.
var jobLabels = []string{"controller-uid", "batch.kubernetes.io/controller-uid", "job-name", "batch.kubernetes.io/job-name"}

// jobServerFields drops what the server adds to a Job (or a CronJob's job
// template): the generated selector (unless manualSelector is true), the
// controller's labels on the pod template, and the Job's own labels, which
// default to the template's.
func jobServerFields(m map[string]any, kind string) {
	spec := []string{"spec"}
	if kind == "CronJob" {
		spec = []string{"spec", "jobTemplate", "spec"}
	}
	js, ok := lookup(m, spec).(map[string]any)
	if !ok {
		return
	}
	if manual, _ := js["manualSelector"].(bool); !manual {
		delete(js, "selector")
		delete(js, "manualSelector")
	}
	tmd, _ := lookup(js, []string{"template", "metadata"}).(map[string]any)
	labels, _ := tmd["labels"].(map[string]any)
	deleteKeys(labels, jobLabels)
	if md, ok := m["metadata"].(map[string]any); ok && kind == "Job" {
		jl, _ := md["labels"].(map[string]any)
		deleteKeys(jl, jobLabels)
		if jl != nil && (len(jl) == 0 || equalValue(jl, labels, "labels")) {
			delete(md, "labels") // defaulted from the template
		}
	}
	if labels != nil && len(labels) == 0 {
		delete(tmd, "labels")
	}
	if tmd != nil && len(tmd) == 0 {
		delete(lookup(js, []string{"template"}).(map[string]any), "metadata")
	}
}

func deleteKeys(m map[string]any, keys []string) {
	for _, k := range keys {
		delete(m, k)
	}
}

// claimAnnotations are written on a claim by the volume binder and the
// scheduler.
var claimAnnotations = []string{
	"volume.beta.kubernetes.io/storage-provisioner", "volume.kubernetes.io/storage-provisioner",
	"pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller",
	"volume.kubernetes.io/selected-node",
}

// claimServerFields drops the binder's annotations and the protection
// finalizer of a PersistentVolumeClaim. Its storageClassName (set by the
// default-class admission plugin) and volumeName (set by the binder) are
// taken from the other side when one side omits them (see adopted).
func claimServerFields(m map[string]any) {
	md, _ := m["metadata"].(map[string]any)
	if ann, ok := md["annotations"].(map[string]any); ok {
		deleteKeys(ann, claimAnnotations)
		if len(ann) == 0 {
			delete(md, "annotations")
		}
	}
	if fs, ok := md["finalizers"].([]any); ok {
		out := fs[:0]
		for _, f := range fs {
			if f != "kubernetes.io/pvc-protection" {
				out = append(out, f)
			}
		}
		if len(out) == 0 {
			delete(md, "finalizers")
		} else {
			md["finalizers"] = out
		}
	}
}

// impliedPolicyTypes drops a NetworkPolicy's policyTypes when they are what
// the server derives: Ingress, plus Egress when egress rules are given.
func impliedPolicyTypes(m map[string]any) {
	spec, _ := m["spec"].(map[string]any)
	types, ok := spec["policyTypes"].([]any)
	if !ok {
		return
	}
	want := []any{"Ingress"}
	if _, egress := spec["egress"]; egress {
		want = append(want, "Egress")
	}
	if len(types) != len(want) {
		return
	}
	for i := range want {
		if types[i] != want[i] {
			return
		}
	}
	delete(spec, "policyTypes")
}

// emptyIsAbsent are the map-valued fields the API server does not store
// when empty (Helm charts render `annotations: {}` or `nodeSelector: {}`
// from empty values); empty lists are never stored either. Other empty
// maps are kept: `emptyDir: {}` and `podSelector: {}` mean something.
var emptyIsAbsent = map[string]bool{
	"annotations": true, "labels": true, "nodeSelector": true, "matchLabels": true,
	"data": true, "binaryData": true, "stringData": true, "limits": true, "requests": true,
}

// droppedWhenEmpty reports whether a copied value under key is an empty
// value the server would not store: null (a Helm value left empty renders
// `value:`), an empty list, an empty string map.
func droppedWhenEmpty(key string, v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0 && emptyIsAbsent[key]
	}
	return false
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// hostPorts drops a host-network container's hostPort equal to its
// containerPort: the server sets one to the other when hostPort is unset.
func hostPorts(c map[string]any) {
	ports, _ := c["ports"].([]any)
	for _, p := range ports {
		pm, ok := p.(map[string]any)
		if ok && pm["hostPort"] != nil && scalarEqual(pm["hostPort"], pm["containerPort"], "") {
			delete(pm, "hostPort")
		}
	}
}
