package billing

import (
	"encoding/json"
	"strings"
)

// Cluster attribution reads the tags the cloud providers themselves put on
// a cluster's resources:
//
//   - EKS: eks:cluster-name / aws:eks:cluster-name (CUR 2.0 resource_tags
//     keys aws_eks_cluster_name, user_eks_cluster_name; legacy CUR column
//     resourceTags/aws:eks:cluster-name) and eksctl's
//     alpha.eksctl.io/cluster-name;
//   - any Kubernetes cloud provider: kubernetes.io/cluster/NAME = owned or
//     shared (CUR 2.0 sanitizes the key to user_kubernetes_io_cluster_NAME;
//     the name is then mapped back to a cluster seen unsanitized elsewhere
//     in the file, else kept as written);
//   - GKE: the label or system label goog-k8s-cluster-name;
//   - AKS: the tag aks-managed-cluster-name, else the node resource group
//     MC_<group>_<cluster>_<region> in the resource ID (the cluster taken as
//     the segment before the region: AKS names may hold underscores, the
//     group's are then ambiguous and counted in the group).
//
// A name tag beats a kubernetes.io/cluster/ key, which beats the resource
// group.

// tagKey normalizes a tag key the way CUR 2.0 does (lower case, every other
// character an underscore) and drops the user_/aws_ namespaces, so all
// spellings of one tag compare equal.
func tagKey(k string) string {
	var b strings.Builder
	b.Grow(len(k))
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte('_')
		}
	}
	n := b.String()
	n = strings.TrimPrefix(n, "resourcetags_")
	n = strings.TrimPrefix(n, "resource_tags_")
	n = strings.TrimPrefix(n, "user_")
	n = strings.TrimPrefix(n, "aws_")
	return n
}

const k8sClusterKey = "kubernetes_io_cluster_"

// clusterTag ranks one tag: the cluster it names, whether the name was
// sanitized, and its priority (0: not a cluster tag).
func clusterTag(key, value string) (name string, sanitized bool, prio int) {
	n := tagKey(key)
	switch n {
	case "eks_cluster_name", "alpha_eksctl_io_cluster_name", "goog_k8s_cluster_name", "aks_managed_cluster_name":
		if v := strings.TrimSpace(value); v != "" {
			return v, false, 3
		}
		return "", false, 0
	}
	if !strings.HasPrefix(n, k8sClusterKey) || len(n) == len(k8sClusterKey) {
		return "", false, 0
	}
	if v := strings.ToLower(strings.TrimSpace(value)); v != "owned" && v != "shared" {
		return "", false, 0
	}
	if i := strings.Index(strings.ToLower(key), "kubernetes.io/cluster/"); i >= 0 && i+22 < len(key) {
		return key[i+22:], false, 2
	}
	return n[len(k8sClusterKey):], true, 2
}

// clusterFinder keeps the best cluster tag seen among a row's tags.
type clusterFinder struct {
	name      string
	sanitized bool
	prio      int
}

func (c *clusterFinder) add(key, value string) {
	if name, san, p := clusterTag(key, value); p > c.prio {
		c.name, c.sanitized, c.prio = name, san, p
	}
}

// mightNameCluster is a cheap test that lets most tag texts skip decoding:
// every cluster tag's key holds "cluster".
func mightNameCluster(s string) bool {
	return strings.Contains(s, "luster") || strings.Contains(s, "LUSTER")
}

// tagCache memoizes the cluster of a tags text: a file repeats the same few
// hundred tag sets over millions of rows.
type tagCache struct {
	m map[string]clusterFinder
}

// fromJSON finds the cluster in a tags text: a JSON object, an object
// without its braces (Azure), or GCP's [{"key":..,"value":..}] list.
func (tc *tagCache) fromJSON(s string, c *clusterFinder) {
	if s == "" || !mightNameCluster(s) {
		return
	}
	if hit, ok := tc.m[s]; ok {
		if hit.prio > c.prio {
			*c = hit
		}
		return
	}
	var found clusterFinder
	_, _ = eachTag(s, found.add)
	if tc.m == nil || len(tc.m) > 100000 {
		tc.m = make(map[string]clusterFinder)
	}
	tc.m[s] = found
	if found.prio > c.prio {
		*c = found
	}
}

// eachTag calls fn for every key and value of a tags text and reports
// whether the text was readable.
func eachTag(s string, fn func(k, v string)) (int, bool) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, true
	}
	if t[0] == '[' {
		var kv []struct {
			Key   string `json:"key"`
			Value any    `json:"value"`
		}
		if json.Unmarshal([]byte(t), &kv) != nil {
			return 0, false
		}
		for _, p := range kv {
			fn(p.Key, scalarText(p.Value))
		}
		return len(kv), true
	}
	if t[0] != '{' {
		t = "{" + t + "}"
	}
	var m map[string]any
	if json.Unmarshal([]byte(t), &m) != nil {
		return 0, false
	}
	for k, v := range m {
		fn(k, scalarText(v))
	}
	return len(m), true
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// normalizeTags turns a tags text into a JSON object text ("" for none).
func normalizeTags(s string) string {
	t := strings.TrimSpace(s)
	if t == "" || t == "{}" || t == "[]" {
		return ""
	}
	if t[0] == '{' {
		return t
	}
	m := map[string]string{}
	if _, ok := eachTag(t, func(k, v string) { m[k] = v }); !ok || len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// aksCluster reads the cluster from an AKS node resource group in a
// resource ID: .../resourceGroups/MC_<group>_<cluster>_<region>/...
func aksCluster(resourceID string) string {
	const marker = "/resourcegroups/mc_"
	if len(resourceID) < len(marker) {
		return ""
	}
	i := indexFold(resourceID, marker)
	if i < 0 {
		return ""
	}
	rg := resourceID[i+len(marker):]
	if j := strings.IndexByte(rg, '/'); j >= 0 {
		rg = rg[:j]
	}
	return aksGroupCluster(rg)
}

// aksGroupCluster reads "<group>_<cluster>_<region>" (the MC_ prefix removed).
func aksGroupCluster(rg string) string {
	r := strings.LastIndexByte(rg, '_')
	if r <= 0 {
		return ""
	}
	rest := rg[:r]
	c := strings.LastIndexByte(rest, '_')
	if c < 0 || c == len(rest)-1 {
		return ""
	}
	return rest[c+1:]
}

// indexFold is strings.Index ignoring ASCII case; sub must be lower case.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// sanitizeName is how CUR 2.0 spells a name inside a tag key.
func sanitizeName(s string) string {
	return strings.TrimPrefix(tagKey("x_"+s), "x_")
}
