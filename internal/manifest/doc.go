// Package manifest loads Kubernetes objects from YAML and JSON files for the
// offline engines (diff, cost, risk).
//
// Design decisions:
//   - Directories are walked recursively in lexical order; only .yaml, .yml and
//     .json files are read, other files are skipped silently (READMEs, charts'
//     .tpl files). Hidden files and directories (".git") are skipped. Symbolic
//     links are followed, and a link that leads back into a directory being
//     walked is reported as a loop instead of being walked forever.
//   - Document indexes are 0-based and count the documents that the "---"
//     separators delimit, ignoring empty ones; a document holding only comments
//     or null still counts, so indexes match what a reader counts in the file.
//   - Any "List" kind (kind: List, ConfigMapList, ... as `kubectl get -o yaml`
//     prints) is expanded into its items; errors in an item name the document
//     and the item index.
//   - A kind in a built-in API group that the group does not serve (e.g.
//     "apiVersion: v1, kind: Deployment", or "kind: Deploymnet" in apps) is an
//     unknown kind and an error that names the right group. Kinds in other
//     groups are custom resources (Argo Rollouts, cert-manager, ...) and are
//     accepted: the engines decide what they understand. apiVersion must parse
//     as group/version and kind must look like a Go type name, which catches
//     typos such as "kind: deployment".
//   - Every problem is collected; Load returns no objects at all when any
//     problem was found, so a partial set is never taken as complete.
package manifest
