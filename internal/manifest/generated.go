package manifest

import (
	"strconv"
	"strings"
)

// Controlled reports whether another object controls o (ownerReferences
// with controller: true): a live ReplicaSet of a Deployment, a Pod of a
// ReplicaSet, a Job of a CronJob, an EndpointSlice of a Service. Such
// objects are what controllers make from the objects people write.
func (o Object) Controlled() bool {
	for _, ref := range o.GetOwnerReferences() {
		if ref.Controller != nil && *ref.Controller {
			return true
		}
	}
	return false
}

// Generated reports, per object of set, whether the control plane created it
// on its own rather than an author writing it, so that a live dump
// (`kubectl get all,cm,sa,pvc -o yaml`) can serve as a current state: the
// kube-root-ca.crt ConfigMap and the default ServiceAccount of every
// namespace, Endpoints kept by the endpoints controller, and the claims a
// StatefulSet of the same set makes from its volumeClaimTemplates
// ("<template>-<statefulset>-<ordinal>"), which carry no owner reference
// under the default retention policy. Controlled objects are not included:
// callers test Controlled separately.
func Generated(set []Object) []bool {
	out := make([]bool, len(set))
	claims := statefulSetClaims(set)
	for i := range set {
		o := &set[i]
		id := o.ID()
		switch {
		case id.Group == "" && id.Kind == "ConfigMap" && id.Name == "kube-root-ca.crt":
			out[i] = true
		case id.Group == "" && id.Kind == "ServiceAccount" && id.Name == "default":
			out[i] = true
		case id.Group == "" && id.Kind == "Endpoints" && o.GetLabels()["endpoints.kubernetes.io/managed-by"] == "endpoint-controller":
			out[i] = true
		case id.Group == "" && id.Kind == "PersistentVolumeClaim":
			out[i] = claims.made(id.Namespace, id.Name)
		}
	}
	return out
}

// claimPrefixes maps a namespace to the "<template>-<statefulset>-" name
// prefixes of the claims its StatefulSets make.
type claimPrefixes map[string][]string

func statefulSetClaims(set []Object) claimPrefixes {
	out := claimPrefixes{}
	for i := range set {
		o := &set[i]
		if o.GetKind() != "StatefulSet" || o.GroupVersionKind().Group != "apps" {
			continue
		}
		tmpls := sliceAt(o.Object, "spec", "volumeClaimTemplates")
		for _, t := range tmpls {
			tm, _ := t.(map[string]any)
			md, _ := tm["metadata"].(map[string]any)
			if name, _ := md["name"].(string); name != "" {
				ns := o.GetNamespace()
				out[ns] = append(out[ns], name+"-"+o.GetName()+"-")
			}
		}
	}
	return out
}

// made reports whether a claim name is "<prefix><ordinal>" for a prefix of
// the namespace.
func (c claimPrefixes) made(ns, name string) bool {
	for _, p := range c[ns] {
		rest, ok := strings.CutPrefix(name, p)
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(rest); err == nil && n >= 0 && strconv.Itoa(n) == rest {
			return true
		}
	}
	return false
}

func sliceAt(obj map[string]any, path ...string) []any {
	var cur any = obj
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	s, _ := cur.([]any)
	return s
}
