// Package risk judges a promotion: it runs a registry of rules on the
// current and the proposed set of Kubernetes objects and reports each
// finding as new, resolved or unchanged, with the overall risk level.
//
// Rules come in two shapes. A SetRule judges one set (a privileged
// container, a Service selecting nothing, a quota breach) and runs on both
// sides; findings are matched by rule, resource and JSON path. A ChangeRule
// judges the change itself (replicas lowered, probe removed, an immutable
// field changed, the monthly cost rising) and its findings are always new.
// Each rule file registers its rules in init, so adding a rule is adding a
// file; Default returns a registry of all of them.
//
// Design decisions:
//   - Severity 0–10 per finding; the level is that of the highest new or
//     unchanged finding, and low when there is none (its highest severity
//     is 0); --fail-on trips only on a finding at or above the threshold,
//     so --fail-on low trips on any finding and never on a clean change. Hygiene checks that most real manifests fail
//     (no readOnlyRootFilesystem, no NetworkPolicy, capabilities not
//     dropped, runAsNonRoot unset) are low (2–3) so they do not mask the
//     change's real risk; explicit dangerous settings are high.
//   - Objects are matched by "Kind/name"; namespaces are ignored because
//     environments live in different namespaces. A quota or limit range of
//     the cluster applies to objects in its namespace; an object with no
//     namespace is deployed into the target namespace: that of the same
//     Kind/name in the current set, else the current set's one namespace;
//     when neither is known every quota and limit range applies.
//   - Quota and capacity count the change, not the set: usage after the
//     change is what the cluster uses now, minus what the current set
//     requests, plus what the proposed set requests. Replicas are the HPA's
//     minReplicas where an HPA scales the workload; a DaemonSet counts one
//     pod per node; a limit without a request counts as the request.
//     Rolling-update surge is not counted.
//   - A Service selector is only reported as matching no pods when every
//     object of the set is of a kind the engine understands (Argo Rollouts
//     are workloads; a few common passive custom resources such as
//     ServiceMonitor or Certificate are ignored); any other custom resource
//     may create pods and switches the rule off.
//   - A Secret referenced but absent is 6 without cluster state (Secrets
//     are often created outside Git) and 8 with it; ExternalSecret and
//     SealedSecret objects count as providing their Secret.
//   - Immutable fields compare only what both sides set (a live object
//     carries server defaults inside volumeClaimTemplates and a Job's
//     template), quantities by value; label selectors must match key for key.
//   - A Service selector ignores the hash labels controllers add to pods
//     (rollouts-pod-template-hash, pod-template-hash). Adding
//     NET_BIND_SERVICE is not reported (the restricted Pod Security Standard
//     allows it).
//   - Findings about the whole change have resource "(cluster)" (capacity)
//     or "" (cost increase).
//   - RBAC the cluster owns (system:, gce:, eks: names, the default
//     ClusterRoles admin/edit/view/cluster-admin and the cluster-admin
//     binding) is not judged: a live dump or snapshot carries it, and the
//     promotion neither creates nor changes it.
//   - An object whose apiVersion does not serve its kind is loaded and
//     reported (api-rejected, 8) instead of failing the preview.
//   - Capacity is judged in total and per node: the change's new pods are
//     placed on nodes (nodeSelector and required affinity honoured, taints
//     not), so 3 × 0.5 vCPU free cannot hide a pod asking for 1 vCPU.
//   - A reference to an object the set lacks (an Ingress's Service, a
//     pod's ServiceAccount, a monitor's targets) is reported at its rule's
//     severity only when the set holds objects of that kind in the
//     namespace; otherwise it is a low note (2), as the object may be
//     managed elsewhere. Keys are judged only in ConfigMaps and Secrets the
//     set holds. Selectors reach their own namespace only.
//   - The engine reads unstructured maps, not typed objects: converting a
//     pod template costs about 30 µs, too much for the 20 ms preview budget.
package risk
