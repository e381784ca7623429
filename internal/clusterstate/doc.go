// Package clusterstate turns a snapshot of a target cluster (Nodes, Pods,
// ResourceQuotas, LimitRanges) into the facts the cost and risk engines need:
// node types and prices' keys, allocatable capacity and what is already
// requested on each node.
//
// A snapshot is what `kubectl get nodes,pods,resourcequotas,limitranges -A
// -o yaml` prints, saved as one or more files in a directory; other kinds in
// the directory are ignored so a whole export can be pointed at.
//
// Design decisions:
//   - A node's instance type, region and zone come from the well-known labels
//     (node.kubernetes.io/instance-type, topology.kubernetes.io/region|zone,
//     falling back to their deprecated beta forms); the provider from
//     spec.providerID ("aws://", "gce://", "azure://"), else from
//     provider-specific labels.
//   - Spot/preemptible nodes are recognised from the EKS, Karpenter, GKE and
//     AKS labels.
//   - A pod's request is computed as the scheduler does: the larger of the
//     sum of its containers (plus restartable init "sidecar" containers) and
//     its largest init container, plus pod overhead; limits stand in for
//     unset requests, as the API server defaults them.
//   - Pods in phase Succeeded or Failed, and pods not bound to a node, add
//     nothing to a node's Requested.
//   - KubeVersion is the lowest kubelet version among the nodes (the version
//     every node supports); callers may override it.
package clusterstate
