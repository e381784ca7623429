// Package diff computes the semantic difference between two sets of
// Kubernetes objects: the target environment's current state and the
// proposed one. It is a pure engine: objects in, a Result out.
//
// Objects match by API group, kind and name; the namespace joins the match
// only with Options.MatchNamespace, because environments usually live in
// different namespaces. Before comparing, both sides are normalized so that
// only intent is compared: status, server-set metadata (managedFields, uid,
// resourceVersion, generation, creationTimestamp, selfLink, the deployment
// revision annotation), the kubectl last-applied annotation and fields equal
// to the API server's defaults are dropped (see defaults.go). Quantities
// compare by value ("1000m" = "1") and numbers by value (3 = 3.0).
//
// Design decisions:
//   - Lists of objects are matched by their Kubernetes merge key (name,
//     mountPath, containerPort, port...) when every item has a unique one, so
//     reordering containers or env vars is not a change; JSON pointers still
//     use the index (current index for removals, proposed index otherwise),
//     as Argo CD's do. Lists of scalars (args, command) change as a whole.
//   - Without MatchNamespace, metadata.namespace is not compared, and two
//     objects that differ only by namespace in one set are an error
//     (ambiguous match) rather than a silent pick.
//   - Secret values (data and stringData, which are merged so that the same
//     value written either way is equal) are replaced by "(redacted)"
//     everywhere: in changes, in renderers and in any annotation of the Secret
//     that contains one of its values. Changes are detected on a SHA-256 of the
//     value, which never leaves the package.
//   - Ignore rules follow Argo CD's ignoreDifferences: group and kind are
//     required ("*" matches any kind), name and namespace optional, and
//     jsonPointers remove the field from both sides before comparing.
//   - Objects controlled by another (ownerReferences with controller: true,
//     e.g. the ReplicaSets and Pods of a live cluster dump) are left out, as
//     Argo CD leaves them out of its diff.
//   - Resource keys in the output are "Kind/name" (the preview JSON form), so
//     with MatchNamespace two namespaces' objects may share a key.
//   - A live dump (kubectl get -o yaml) works as the current state (checked
//     against a real API server, see docs/notes/realworld-preview.md): the
//     objects the control plane makes on its own (kube-root-ca.crt, the
//     default ServiceAccount, controller Endpoints, a StatefulSet's claims)
//     take part only when the other side has them; server-allocated or
//     injected values (a Service's nodePort, a webhook's caBundle, a claim's
//     storageClassName and volumeName) are taken from the other side when one
//     side omits them; controller-written labels and annotations (Job
//     controller labels, Argo Rollouts' rollouts-pod-template-hash, Helm
//     release and Argo CD tracking annotations) are dropped; defaults that
//     depend on other fields (a ReplicationController's selector, requests
//     copied from limits, a NetworkPolicy's policyTypes, a Namespace's name
//     label) are pruned when they equal the derived value, and an aggregated
//     ClusterRole's rules (the aggregation controller's copy) are dropped.
//   - YAML nulls, empty lists and empty string maps (Helm's empty values)
//     are absent fields, as the API server stores them; other empty maps
//     (emptyDir: {}, podSelector: {}) are kept because they mean something.
//   - A removed probe (or volume source) is one removal of the whole value,
//     not a comparison against a probe of default values.
//   - Kinds that moved out of extensions/v1beta1 match their current group,
//     and a namespace written on a cluster-scoped kind is ignored.
package diff
