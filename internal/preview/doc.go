// Package preview assembles the promotion preview: the semantic
// diff, the cost delta, the risk findings and the explanation of one change
// from a current to a proposed set of objects, as one artifact. It is pure:
// objects and options in, a Preview out; an LLM explanation is added by the
// caller through Explain with an explainer it configured.
//
// Design decisions:
//   - The target Kubernetes version is the one given, else the lowest
//     kubelet version of the cluster state, else 1.34.
//   - The cost-increase rule sees the cost engine's baseline and projected
//     totals; the explanation's cost drivers are its per-resource deltas.
//   - JSON has exactly the documented top-level fields; when an LLM was asked,
//     "explanation_source" says which explainer produced the text and why an
//     LLM answer was discarded.
package preview
