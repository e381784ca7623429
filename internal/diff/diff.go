package diff

import (
	"fmt"
	"sort"

	"github.com/usecapsule/capsule/internal/manifest"
)

// Op says what happened to a field.
type Op string

// The field operations.
const (
	OpAdded   Op = "added"
	OpRemoved Op = "removed"
	OpChanged Op = "changed"
)

// Status says what happened to an object.
type Status string

// The object statuses.
const (
	StatusAdded     Status = "added"
	StatusRemoved   Status = "removed"
	StatusModified  Status = "modified"
	StatusUnchanged Status = "unchanged"
)

// Redacted replaces every Secret value in output.
const Redacted = "(redacted)"

// Options tune Compute.
type Options struct {
	// MatchNamespace makes the namespace part of an object's identity.
	MatchNamespace bool `json:"match_namespace,omitempty"`
	// Ignore lists intended differences, Argo CD ignoreDifferences style.
	Ignore []IgnoreRule `json:"ignore,omitempty"`
}

// IgnoreRule removes fields from the comparison of matching objects.
type IgnoreRule struct {
	Group        string   `json:"group"`
	Kind         string   `json:"kind"`
	Name         string   `json:"name,omitempty"`
	Namespace    string   `json:"namespace,omitempty"`
	JSONPointers []string `json:"jsonPointers"`
	// JQPathExpressions is Argo CD's other selector; it is not supported and
	// Compute refuses rules that use it rather than silently ignore them.
	JQPathExpressions []string `json:"jqPathExpressions,omitempty"`
}

// Change is one field difference of a modified object.
type Change struct {
	Resource string `json:"resource"`
	Path     string `json:"path"`
	From     any    `json:"from"`
	To       any    `json:"to"`
	Op       Op     `json:"op"`
}

// Result is the difference of two object sets.
type Result struct {
	Added    []string `json:"added"`
	Removed  []string `json:"removed"`
	Modified []string `json:"modified"`
	Changes  []Change `json:"changes"`
	// Objects holds per-object detail (normalized, redacted content) for
	// renderers, sorted by resource key; unchanged objects are included.
	Objects []ObjectDiff `json:"-"`
}

// ObjectDiff is the detail of one matched or unmatched object.
type ObjectDiff struct {
	Resource string
	ID       manifest.ID
	Status   Status
	// Current and Proposed are the normalized, redacted objects; nil on the
	// side where the object does not exist. Treat them as read-only: for an
	// unchanged object they may be the same map.
	Current, Proposed map[string]any
	Changes           []Change
}

// Compute compares current with proposed. It fails only on ambiguous input
// or malformed ignore rules, naming the object or rule.
func Compute(current, proposed []manifest.Object, opts Options) (*Result, error) {
	if err := checkRules(opts.Ignore); err != nil {
		return nil, err
	}
	// Objects the control plane made take part only when the other side has
	// them too: a live dump's default ServiceAccount (one per namespace) is
	// neither removed by a promotion that does not mention it nor ambiguous.
	current, proposed = authored(current, proposed), authored(proposed, current)
	cur, err := index(current, opts.MatchNamespace, "current")
	if err != nil {
		return nil, err
	}
	prop, err := index(proposed, opts.MatchNamespace, "proposed")
	if err != nil {
		return nil, err
	}
	keys := unionKeys(cur, prop)
	res := &Result{Added: []string{}, Removed: []string{}, Modified: []string{}, Changes: []Change{},
		Objects: make([]ObjectDiff, 0, len(keys))}
	for _, k := range keys {
		od := compareObject(cur[k], prop[k], opts)
		res.add(od)
	}
	sort.Strings(res.Added)
	sort.Strings(res.Removed)
	sort.Strings(res.Modified)
	return res, nil
}

func (r *Result) add(od ObjectDiff) {
	switch od.Status {
	case StatusAdded:
		r.Added = append(r.Added, od.Resource)
	case StatusRemoved:
		r.Removed = append(r.Removed, od.Resource)
	case StatusModified:
		r.Modified = append(r.Modified, od.Resource)
		r.Changes = append(r.Changes, od.Changes...)
	}
	r.Objects = append(r.Objects, od)
}

// matchKey is an object's identity for matching, with the namespace blanked
// unless it takes part.
func matchKey(o manifest.Object, withNS bool) manifest.ID {
	id := o.ID()
	if !withNS {
		id.Namespace = ""
	}
	return id
}

func index(objs []manifest.Object, withNS bool, side string) (map[manifest.ID]*manifest.Object, error) {
	out := make(map[manifest.ID]*manifest.Object, len(objs))
	for i := range objs {
		o := &objs[i]
		if o.Controlled() {
			continue
		}
		k := matchKey(*o, withNS)
		if prev, dup := out[k]; dup {
			return nil, fmt.Errorf("%s set: %s is ambiguous: it is in namespace %q (%s) and %q (%s); match by namespace or split the sets",
				side, o.Key(), prev.GetNamespace(), prev.Location(), o.GetNamespace(), o.Location())
		}
		out[k] = o
	}
	return out, nil
}

// unionKeys returns the identities of both sets sorted by their output key
// and then by identity, so output order is stable.
func unionKeys(a, b map[manifest.ID]*manifest.Object) []manifest.ID {
	keys := make([]manifest.ID, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		ki, kj := keys[i].Key(), keys[j].Key()
		if ki != kj {
			return ki < kj
		}
		return keys[i].String() < keys[j].String()
	})
	return keys
}

func compareObject(cur, prop *manifest.Object, opts Options) ObjectDiff {
	var ref *manifest.Object
	if ref = prop; ref == nil {
		ref = cur
	}
	od := ObjectDiff{Resource: ref.Key(), ID: matchKey(*ref, opts.MatchNamespace)}
	rules := rulesFor(opts.Ignore, ref.ID())
	if cur != nil && prop != nil && sameIntent(cur.Object, prop.Object, opts.MatchNamespace) {
		// Most objects of a promotion differ at most in what normalization
		// drops: one normalized copy serves both sides, and no walk is needed.
		od.Current, _ = normalize(cur.Object, opts.MatchNamespace, rules)
		od.Proposed, od.Status = od.Current, StatusUnchanged
		return od
	}
	var defA, defB *defaulted
	if cur != nil {
		od.Current, defA = normalize(cur.Object, opts.MatchNamespace, rules)
	}
	if prop != nil {
		od.Proposed, defB = normalize(prop.Object, opts.MatchNamespace, rules)
	}
	switch {
	case cur == nil:
		od.Status = StatusAdded
	case prop == nil:
		od.Status = StatusRemoved
	default:
		w := walker{resource: od.Resource, defA: defA, defB: defB}
		w.value("", "", od.Current, od.Proposed)
		od.Changes = w.changes
		od.Status = StatusUnchanged
		if len(od.Changes) > 0 {
			od.Status = StatusModified
		}
	}
	return od
}

// authored returns set without the objects the control plane made on its
// own (manifest.Generated) whose Kind/name other does not have.
func authored(set, other []manifest.Object) []manifest.Object {
	gen := manifest.Generated(set)
	drop := false
	for _, g := range gen {
		drop = drop || g
	}
	if !drop {
		return set // the common case: authored manifests, nothing copied
	}
	names := make(map[string]bool, len(other))
	for i := range other {
		names[other[i].Key()] = true
	}
	out := make([]manifest.Object, 0, len(set))
	for i := range set {
		if !gen[i] || names[set[i].Key()] {
			out = append(out, set[i])
		}
	}
	return out
}

// sameIntent reports, without allocating, whether two raw objects are equal
// apart from what normalization drops at the top (status, server-set
// metadata, the namespace when it is not matched).
func sameIntent(a, b map[string]any, withNS bool) bool {
	if !sameKeysExcept(a, b, "status") {
		return false
	}
	for k, av := range a {
		if k == "status" {
			continue
		}
		if k == "metadata" {
			am, aok := av.(map[string]any)
			bm, bok := b[k].(map[string]any)
			if !aok || !bok || !sameMetadata(am, bm, withNS) {
				return false
			}
			continue
		}
		if !equalValue(av, b[k], k) {
			return false
		}
	}
	return true
}

func sameMetadata(a, b map[string]any, withNS bool) bool {
	skip := func(k string) bool { return serverSetField[k] || (!withNS && k == "namespace") }
	for k, av := range a {
		if skip(k) {
			continue
		}
		bv, ok := b[k]
		if !ok || !equalValue(av, bv, k) {
			return false
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok && !skip(k) {
			return false
		}
	}
	return true
}

func sameKeysExcept(a, b map[string]any, except string) bool {
	for k := range a {
		if _, ok := b[k]; !ok && k != except {
			return false
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok && k != except {
			return false
		}
	}
	return true
}
