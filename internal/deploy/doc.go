// Package deploy puts a service's rendered objects onto a cluster and
// follows the rollout to its end: the deploy engine. It talks to the API
// server through client-go's dynamic client, finds each kind's resource in
// the API server's discovery documents, and watches with tools/cache
// informers; never the typed clientset, typed informers or discovery client,
// whose scheme registration every capsule command would pay at start-up
// (TestNoTypedClientset). It keeps nothing in memory between calls: what it
// needs later lives in the cluster.
//
// Deploy:
//  1. Checks the request and orders the objects: Namespace, ResourceQuota,
//     LimitRange, ServiceAccount, Role, RoleBinding, ConfigMap, Secret,
//     PersistentVolumeClaim, Deployment, StatefulSet, DaemonSet, CronJob,
//     Service, Ingress, HorizontalPodAutoscaler, PodDisruptionBudget,
//     NetworkPolicy, then any other kind sorted by kind. Every object gets
//     app.kubernetes.io/managed-by=capsule, capsule.dev/service=<service>
//     and the annotation capsule.dev/revision=<n>.
//  2. Server-side applies them with the field manager "capsule", after a
//     dry run of all of them: a field another manager owns (a ConflictError
//     naming the object, the manager and the fields) or an invalid object
//     stops the deploy before anything changed, unless Force. The
//     namespace is the exception (created first, for real).
//  3. Prunes the service's objects that left the rendered set: those
//     carrying its owner labels, of the kinds Capsule renders, that
//     Capsule's field manager applied. Namespaces are never pruned.
//  4. Follows the rollout with watches (informers on Deployments,
//     ReplicaSets, StatefulSets, pods, Jobs and events in the namespace),
//     judged like `kubectl rollout status`, and reports Progress on every
//     change. A rollout fails when the cluster says it cannot go on
//     (ReplicaFailure: a quota, an admission refusal), when its
//     Progressing condition says ProgressDeadlineExceeded, or when no new
//     pod became Ready for the progress deadline. The cause is named from
//     pods and events: Unschedulable with the scheduler's message, image
//     pulls, CrashLoopBackOff, container creation, failed pods, readiness
//     never passing, FailedCreate naming the quota.
//  5. On failure, re-deploys the previous revision (Request.Previous, or the
//     release record) and waits for it: phase rolled_back.
//
// The release record is the Secret capsule-release-<service> in the
// namespace (a Secret because the objects may include Secrets): the last
// revision that rolled out, its objects, its strategy and blue-green's
// colours. Scale, SwitchBack, RetireIdle and automatic rollback read it.
//
// Strategies use render's objects (no CRDs): rolling and recreate are the
// workload's own; blue-green deploys <base>-<colour> beside the live colour
// and switches the Service's capsule.dev/slot selector when every new pod
// is Ready; canary runs <stable>-canary next to the stable Deployment,
// sized to each step's share of the pods, with an analysis between steps.
// A migration command runs as a Job before any workload changes.
package deploy
