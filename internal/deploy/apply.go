package deploy

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
)

// ConflictError is a server-side apply conflict: another field manager
// owns fields of an object Capsule would change.
type ConflictError struct {
	Object ObjectRef
	// Managers are the field managers that own the contested fields;
	// Fields the fields.
	Managers []string
	Fields   []string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("deploy: %s: field manager %s owns %s; Capsule does not take over another manager's fields unless the deploy is forced",
		e.Object, quoteAll(e.Managers), strings.Join(e.Fields, ", "))
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, " and ")
}

// conflictManager reads the manager out of the API server's cause message:
// `conflict with "kubectl-client-side-apply" using apps/v1`.
// Compiled on first use: a package-level regexp is start-up work every
// capsule command would pay for.
var conflictManager = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`conflict with "([^"]+)"`) })

// asConflict turns a 409 from an apply into a ConflictError.
func asConflict(ref ObjectRef, err error) error {
	var st apierrors.APIStatus
	if !apierrors.IsConflict(err) || !errors.As(err, &st) || st.Status().Details == nil {
		return nil
	}
	ce := &ConflictError{Object: ref}
	seen := map[string]bool{}
	for _, c := range st.Status().Details.Causes {
		if c.Type != metav1.CauseTypeFieldManagerConflict {
			continue
		}
		if m := conflictManager().FindStringSubmatch(c.Message); m != nil && !seen[m[1]] {
			seen[m[1]] = true
			ce.Managers = append(ce.Managers, m[1])
		}
		ce.Fields = append(ce.Fields, c.Field)
	}
	if len(ce.Fields) == 0 {
		return nil
	}
	return ce
}

// resource returns the client of o's kind in o's namespace.
func (e *Engine) resource(ctx context.Context, o *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	m, err := e.mapper.find(ctx, o.GroupVersionKind())
	if err != nil {
		return nil, fmt.Errorf("deploy: %s: %w", refOf(o), err)
	}
	if !m.namespaced {
		return e.dyn.Resource(m.resource), nil
	}
	return e.dyn.Resource(m.resource).Namespace(o.GetNamespace()), nil
}

// applyOne server-side applies o; dryRun asks the API server to check it
// (validation, admission, ownership) without storing it.
func (e *Engine) applyOne(ctx context.Context, o *unstructured.Unstructured, force, dryRun bool) (*unstructured.Unstructured, error) {
	r, err := e.resource(ctx, o)
	if err != nil {
		return nil, err
	}
	opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: force}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	got, err := r.Apply(ctx, o.GetName(), o, opts)
	if err != nil {
		if ce := asConflict(refOf(o), err); ce != nil {
			return nil, ce
		}
		return nil, fmt.Errorf("deploy: apply %s: %w", refOf(o), err)
	}
	return got, nil
}

// applyAll applies objs in order after a dry run of all of them, so that a
// conflict or an invalid object stops the deploy before anything changed.
// The namespace is the exception: it is created for real first, because
// namespaced objects cannot be checked in a namespace that does not exist.
// applied lists what was written, also on error; gens holds the
// generation the API server gave each applied object ("Kind/name").
func (e *Engine) applyAll(ctx context.Context, objs []*unstructured.Unstructured, force bool, gens map[string]int64) (applied []ObjectRef, err error) {
	rest := objs
	if len(objs) > 0 && objs[0].GetKind() == "Namespace" {
		if _, err := e.applyOne(ctx, objs[0], force, false); err != nil {
			return nil, err
		}
		applied = append(applied, refOf(objs[0]))
		rest = objs[1:]
	}
	for _, o := range rest {
		if _, err := e.applyOne(ctx, o, force, true); err != nil {
			return applied, err
		}
	}
	for _, o := range rest {
		got, err := e.applyOne(ctx, o, force, false)
		if err != nil {
			return applied, err
		}
		applied = append(applied, refOf(o))
		gens[o.GetKind()+"/"+o.GetName()] = got.GetGeneration()
	}
	return applied, nil
}
