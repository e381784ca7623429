// Package allocation turns each cluster's current picture (the agent's
// pods, nodes and metrics.k8s.io usage) into cost over time: what each
// team, project, service, environment, namespace and cluster costs, the
// idle capacity beside it, the shared namespaces spread over the rest, and
// the anomalies of the daily series tied to the promotion or deployment
// that preceded them.
//
// Decisions (docs/notes/allocation.md says more):
//   - The cost of a pod over an interval is max(request, usage) of CPU and
//     of memory × its node's per-resource hourly rates × the interval, as
//     OpenCost defines allocation. Usage counts only when metrics.k8s.io is
//     served; otherwise the request alone. A node's rates are its
//     catalogue instance price split the OpenCost way (cost.NodePricer); an
//     unknown type is priced at the defaults and flagged (Sample.Unpriced).
//   - Idle is each node's capacity cost minus what its pods were allocated,
//     never negative, kept as its own row (Namespace "", Workload Idle) and
//     shown separately, never spread over the groups.
//   - Shared namespaces (kube-system by default) are removed from the
//     groups and spread over them by a declared rule: proportional to each
//     group's allocated cost (the default) or evenly.
//   - Money is integer nano-dollars while summed (a 10-minute slice of a
//     small pod is a fraction of a cent) and shown as a decimal string with
//     two decimals in USD.
//   - Samples are aggregated per (cluster, day, namespace, workload) as
//     they are taken, never kept per pod: 30 days of 10,000 pods is at most
//     30 × workloads rows.
package allocation
