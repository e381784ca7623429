package diff

import (
	"strings"
	"sync"

	"github.com/usecapsule/capsule/internal/podspec"
)

// fieldDefault is a field path (dot-separated, "*" for every list item) and
// the value the API server sets when it is omitted.
type fieldDefault struct {
	path  []string
	value any
}

func defaults(pairs ...any) []fieldDefault {
	out := make([]fieldDefault, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, fieldDefault{path: strings.Split(pairs[i].(string), "."), value: pairs[i+1]})
	}
	return out
}

var emptyMap = map[string]any{}

// podSpecDefaults are applied under every pod template (see podSpecPaths).
var podSpecDefaults = defaults(
	"dnsPolicy", "ClusterFirst",
	"restartPolicy", "Always",
	"schedulerName", "default-scheduler",
	"securityContext", emptyMap,
	"terminationGracePeriodSeconds", int64(30),
	"enableServiceLinks", true,
	"priority", int64(0),
	"preemptionPolicy", "PreemptLowerPriority",
	"volumes.*.configMap.defaultMode", int64(420),
	"volumes.*.secret.defaultMode", int64(420),
	"volumes.*.projected.defaultMode", int64(420),
	"volumes.*.downwardAPI.defaultMode", int64(420),
	"volumes.*.hostPath.type", "",
)

// containerDefaults are applied to containers, init and ephemeral containers.
var containerDefaults = defaults(
	"terminationMessagePath", "/dev/termination-log",
	"terminationMessagePolicy", "File",
	"resources", emptyMap,
	"ports.*.protocol", "TCP",
	"env.*.valueFrom.fieldRef.apiVersion", "v1",
	"livenessProbe.timeoutSeconds", int64(1), "livenessProbe.periodSeconds", int64(10),
	"livenessProbe.successThreshold", int64(1), "livenessProbe.failureThreshold", int64(3),
	"livenessProbe.httpGet.scheme", "HTTP",
	"readinessProbe.timeoutSeconds", int64(1), "readinessProbe.periodSeconds", int64(10),
	"readinessProbe.successThreshold", int64(1), "readinessProbe.failureThreshold", int64(3),
	"readinessProbe.httpGet.scheme", "HTTP",
	"startupProbe.timeoutSeconds", int64(1), "startupProbe.periodSeconds", int64(10),
	"startupProbe.successThreshold", int64(1), "startupProbe.failureThreshold", int64(3),
	"startupProbe.httpGet.scheme", "HTTP",
)

// kindDefaults are the object-level defaults per "group/Kind".
var kindDefaults = map[string][]fieldDefault{
	"apps/Deployment": defaults(
		"spec.minReadySeconds", int64(0),
		"spec.replicas", int64(1),
		"spec.revisionHistoryLimit", int64(10),
		"spec.progressDeadlineSeconds", int64(600),
		"spec.strategy.rollingUpdate.maxSurge", "25%",
		"spec.strategy.rollingUpdate.maxUnavailable", "25%",
		"spec.strategy.type", "RollingUpdate",
	),
	"apps/StatefulSet": defaults(
		"spec.minReadySeconds", int64(0),
		"spec.replicas", int64(1),
		"spec.revisionHistoryLimit", int64(10),
		"spec.podManagementPolicy", "OrderedReady",
		"spec.updateStrategy.rollingUpdate.partition", int64(0),
		"spec.updateStrategy.type", "RollingUpdate",
		"spec.persistentVolumeClaimRetentionPolicy.whenDeleted", "Retain",
		"spec.persistentVolumeClaimRetentionPolicy.whenScaled", "Retain",
		"spec.volumeClaimTemplates.*.spec.volumeMode", "Filesystem",
		"spec.volumeClaimTemplates.*.apiVersion", "v1",
		"spec.volumeClaimTemplates.*.kind", "PersistentVolumeClaim",
	),
	"apps/DaemonSet": defaults(
		"spec.minReadySeconds", int64(0),
		"spec.revisionHistoryLimit", int64(10),
		"spec.updateStrategy.rollingUpdate.maxUnavailable", int64(1),
		"spec.updateStrategy.rollingUpdate.maxSurge", int64(0),
		"spec.updateStrategy.type", "RollingUpdate",
	),
	"apps/ReplicaSet":        defaults("spec.replicas", int64(1), "spec.minReadySeconds", int64(0)),
	"/ReplicationController": defaults("spec.replicas", int64(1)),
	"batch/Job": defaults(
		"spec.backoffLimit", int64(6),
		"spec.completions", int64(1),
		"spec.parallelism", int64(1),
		"spec.completionMode", "NonIndexed",
		"spec.suspend", false,
		"spec.podReplacementPolicy", "TerminatingOrFailed",
	),
	"batch/CronJob": defaults(
		"spec.concurrencyPolicy", "Allow",
		"spec.suspend", false,
		"spec.successfulJobsHistoryLimit", int64(3),
		"spec.failedJobsHistoryLimit", int64(1),
		"spec.jobTemplate.spec.backoffLimit", int64(6),
		"spec.jobTemplate.spec.completions", int64(1),
		"spec.jobTemplate.spec.parallelism", int64(1),
		"spec.jobTemplate.spec.completionMode", "NonIndexed",
		"spec.jobTemplate.spec.suspend", false,
		"spec.jobTemplate.spec.podReplacementPolicy", "TerminatingOrFailed",
	),
	"/Service": defaults(
		"spec.sessionAffinityConfig.clientIP.timeoutSeconds", int64(10800),
		"spec.type", "ClusterIP",
		"spec.sessionAffinity", "None",
		"spec.ipFamilyPolicy", "SingleStack",
		"spec.internalTrafficPolicy", "Cluster",
		"spec.externalTrafficPolicy", "Cluster",
		"spec.allocateLoadBalancerNodePorts", true,
		"spec.ports.*.protocol", "TCP",
	),
	"/PersistentVolumeClaim": defaults("spec.volumeMode", "Filesystem"),
	"/Secret":                defaults("type", "Opaque"),
	"argoproj.io/Rollout":    defaults("spec.revisionHistoryLimit", int64(10), "spec.minReadySeconds", int64(0)),
}

// podSpecPaths locate the pod spec inside each workload kind.
var podSpecPaths = podspec.Paths()

// fullDefaults are, per "group/Kind", every default with its full path from
// the object root: the kind's own, then its pod spec's and containers'.
// Built on first use: a command that never diffs does not pay for it at start.
var fullDefaults = sync.OnceValue(buildFullDefaults)

func buildFullDefaults() map[string][]fieldDefault {
	out := map[string][]fieldDefault{}
	for _, kinds := range []map[string][]fieldDefault{kindDefaults, apiDefaults} {
		for gk, d := range kinds {
			out[gk] = append(out[gk], d...)
		}
	}
	for gk, prefix := range podSpecPaths {
		isJob := strings.HasPrefix(gk, "batch/")
		for _, d := range podSpecDefaults {
			if isJob && d.path[0] == "restartPolicy" {
				continue // Jobs must set it; it has no default there
			}
			out[gk] = append(out[gk], fieldDefault{path: join(prefix, d.path), value: d.value})
		}
		for _, list := range []string{"containers", "initContainers", "ephemeralContainers"} {
			for _, d := range containerDefaults {
				out[gk] = append(out[gk], fieldDefault{path: join(prefix, []string{list, "*"}, d.path), value: d.value})
			}
		}
	}
	return out
}

// defaultNode is one step of a tree of default paths, so that an object is
// walked once for all of its kind's defaults.
type defaultNode struct {
	children map[string]*defaultNode
	value    any
	leaf     bool
}

// defaultTrees are fullDefaults as trees per "group/Kind".
var defaultTrees = sync.OnceValue(func() map[string]*defaultNode { return buildTrees(fullDefaults()) })

func buildTrees(all map[string][]fieldDefault) map[string]*defaultNode {
	out := map[string]*defaultNode{}
	for gk, defs := range all {
		root := &defaultNode{}
		for _, d := range defs {
			n := root
			for _, seg := range d.path {
				if n.children == nil {
					n.children = map[string]*defaultNode{}
				}
				next := n.children[seg]
				if next == nil {
					next = &defaultNode{}
					n.children[seg] = next
				}
				n = next
			}
			n.leaf, n.value = true, d.value
		}
		out[gk] = root
	}
	return out
}

// pruneTree deletes the fields of v equal to their defaults, and maps that
// became empty because of it; it reports whether v is such a map now.
func pruneTree(v any, n *defaultNode) bool {
	switch x := v.(type) {
	case map[string]any:
		pruned := false
		for key, child := range n.children {
			cv, ok := x[key]
			if !ok {
				continue
			}
			if (child.leaf && equalDefault(cv, child.value)) || (child.children != nil && pruneTree(cv, child)) {
				delete(x, key)
				pruned = true
			}
		}
		return pruned && len(x) == 0
	case []any:
		if star := n.children["*"]; star != nil {
			for _, e := range x {
				pruneTree(e, star)
			}
		}
	}
	return false
}

func join(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// applyDefaults drops fields equal to the API server's defaults, and the
// fields the server assigns (Service cluster IPs, Job controller labels).
func applyDefaults(m map[string]any, group, kind string) {
	gk := group + "/" + kind
	if gk == "/Service" {
		serviceServerFields(m)
		if sel, ok := lookup(m, []string{"spec", "selector"}).(map[string]any); ok {
			delete(sel, rolloutsHashLabel)
		}
	}
	if gk == "networking.istio.io/DestinationRule" {
		subsets, _ := lookup(m, []string{"spec", "subsets"}).([]any)
		for _, s := range subsets {
			if labels, ok := lookup(asMap(s), []string{"labels"}).(map[string]any); ok {
				delete(labels, rolloutsHashLabel)
			}
		}
	}
	if gk == "apps/StatefulSet" {
		claims, _ := lookup(m, []string{"spec", "volumeClaimTemplates"}).([]any)
		for _, c := range claims {
			if cm, ok := c.(map[string]any); ok {
				delete(cm, "status") // the server prints one per template
			}
		}
	}
	if group == "batch" {
		jobServerFields(m, kind)
	}
	if gk == "/ReplicationController" {
		controllerLabels(m)
	}
	if gk == "/Namespace" {
		namespaceServerFields(m)
	}
	if gk == "rbac.authorization.k8s.io/ClusterRole" && m["aggregationRule"] != nil {
		delete(m, "rules") // filled in by the aggregation controller
	}
	if gk == "/PersistentVolumeClaim" {
		claimServerFields(m)
	}
	if gk == "networking.k8s.io/NetworkPolicy" {
		impliedPolicyTypes(m)
	}
	if injectedCABundle[gk] {
		dropEmptyCABundles(m)
	}
	if tree := defaultTrees()[gk]; tree != nil {
		pruneTree(m, tree)
	}
	if p, ok := podSpecPaths[gk]; ok {
		if spec, ok := lookup(m, p).(map[string]any); ok {
			podSpec(spec)
		}
	}
}

// podSpec drops the pod-spec fields whose default depends on other fields.
func podSpec(spec map[string]any) {
	if sa, ok := spec["serviceAccount"]; ok && sa == spec["serviceAccountName"] {
		delete(spec, "serviceAccount") // deprecated mirror the server fills in
	}
	for _, f := range []string{"containers", "initContainers", "ephemeralContainers"} {
		list, _ := spec[f].([]any)
		for _, c := range list {
			if cm, ok := c.(map[string]any); ok {
				img, _ := cm["image"].(string)
				if p, ok := cm["imagePullPolicy"]; ok && p == impliedPullPolicy(img) {
					delete(cm, "imagePullPolicy")
				}
				requestsFromLimits(cm)
				if hostNet, _ := spec["hostNetwork"].(bool); hostNet {
					hostPorts(cm)
				}
			}
		}
	}
}

// requestsFromLimits drops the requests equal to the container's limits of
// the same resource: the API server copies a limit into an unset request.
func requestsFromLimits(c map[string]any) {
	res, _ := c["resources"].(map[string]any)
	req, _ := res["requests"].(map[string]any)
	lim, _ := res["limits"].(map[string]any)
	if len(req) == 0 || len(lim) == 0 {
		return
	}
	for k, v := range req {
		if l, ok := lim[k]; ok && scalarEqual(v, l, "quantity") {
			delete(req, k)
		}
	}
	if len(req) == 0 {
		delete(res, "requests")
	}
}

// controllerLabels drops a ReplicationController's selector and labels when
// they equal its template's labels, which is what the server defaults them to.
func controllerLabels(m map[string]any) {
	tl, _ := lookup(m, []string{"spec", "template", "metadata", "labels"}).(map[string]any)
	if len(tl) == 0 {
		return
	}
	if spec, ok := m["spec"].(map[string]any); ok && equalValue(spec["selector"], tl, "selector") {
		delete(spec, "selector")
	}
	if md, ok := m["metadata"].(map[string]any); ok && equalValue(md["labels"], tl, "labels") {
		delete(md, "labels")
	}
}

// impliedPullPolicy is what the API server sets when imagePullPolicy is
// omitted: Always for :latest or no tag, IfNotPresent otherwise.
func impliedPullPolicy(image string) string {
	if strings.Contains(image, "@") {
		return "IfNotPresent"
	}
	last := image[strings.LastIndex(image, "/")+1:]
	i := strings.LastIndex(last, ":")
	if i < 0 || last[i+1:] == "latest" {
		return "Always"
	}
	return "IfNotPresent"
}

func serviceServerFields(m map[string]any) {
	spec, ok := m["spec"].(map[string]any)
	if !ok {
		return
	}
	ip, _ := spec["clusterIP"].(string)
	if ip != "None" {
		delete(spec, "clusterIP")
		delete(spec, "clusterIPs")
	} else if ips, _ := spec["clusterIPs"].([]any); len(ips) == 1 && ips[0] == ip {
		delete(spec, "clusterIPs") // the server mirrors clusterIP into it
	}
	delete(spec, "ipFamilies")
	delete(spec, "healthCheckNodePort")
	ports, _ := spec["ports"].([]any)
	for _, p := range ports {
		pm, ok := p.(map[string]any)
		if ok && scalarEqual(pm["targetPort"], pm["port"], "") {
			delete(pm, "targetPort") // defaults to port
		}
	}
}

func lookup(m map[string]any, path []string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

func equalDefault(v, def any) bool {
	if dm, ok := def.(map[string]any); ok {
		vm, isMap := v.(map[string]any)
		return isMap && len(vm) == 0 && len(dm) == 0
	}
	return scalarEqual(v, def, "")
}
