// Package podspec holds the one definition, shared by the diff, cost and
// risk engines, of where each workload kind keeps the pod it runs.
package podspec

// podSpecPaths maps "group/Kind" (core group empty, legacy groups already
// canonical: see manifest.CanonicalGroup) to the path of the pod spec: the
// workload kinds Capsule promotes plus bare Pods, ReplicationControllers
// Argo Rollouts and OpenShift DeploymentConfigs.
var podSpecPaths = map[string][]string{
	"/Pod":                   {"spec"},
	"/ReplicationController": {"spec", "template", "spec"},
	"apps/Deployment":        {"spec", "template", "spec"},
	"apps/StatefulSet":       {"spec", "template", "spec"},
	"apps/ReplicaSet":        {"spec", "template", "spec"},
	"apps/DaemonSet":         {"spec", "template", "spec"},
	"batch/Job":              {"spec", "template", "spec"},
	"batch/CronJob":          {"spec", "jobTemplate", "spec", "template", "spec"},
	"argoproj.io/Rollout":    {"spec", "template", "spec"},
	// OpenShift's predecessor of the Deployment, still in many manifests.
	"apps.openshift.io/DeploymentConfig": {"spec", "template", "spec"},
}

// Path returns the path of the pod spec in an object of groupKind
// ("apps/Deployment", "/Pod"), or false for kinds that run no pods.
func Path(groupKind string) ([]string, bool) {
	p, ok := podSpecPaths[groupKind]
	if !ok {
		return nil, false
	}
	return append([]string(nil), p...), true
}

// Paths returns every "group/Kind" with its pod spec path; the map
// is a copy the caller may keep.
func Paths() map[string][]string {
	out := make(map[string][]string, len(podSpecPaths))
	for gk, p := range podSpecPaths {
		out[gk] = append([]string(nil), p...)
	}
	return out
}
