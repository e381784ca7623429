package server

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/deploy"
	"github.com/usecapsule/capsule/internal/envstate"
	"github.com/usecapsule/capsule/internal/gitdelivery"
	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/promotion"
)

// gitState is a gitops environment's desired state as its repository
// holds it: the YAML and JSON manifests under the environment's Git path at
// the head of its branch (what Argo CD or Flux applies), read through the
// same Deliverer (and guarded client) that writes them. Other environments
// are not its to answer (ok false), so they fall back to their deployments.
//
// Kustomization files and Capsule's .capsule-managed list are not objects
// and are skipped (the kustomization is not built: its resources are the
// files beside it). Namespaced objects without a namespace take the
// environment's, as the GitOps controller applies them there. For one
// service, only the objects labelled as its (and Namespaces) count, as in
// the agent's picture.
type gitState struct {
	d     *gitdelivery.Deliverer
	token func(ctx context.Context, env *capsule.Environment) (string, error)
}

var _ envstate.GitSource = gitState{}

// Desired reads the environment's Git path.
func (g gitState) Desired(ctx context.Context, env *capsule.Environment, svc *capsule.Service) (envstate.State, bool, error) {
	if env.DeliveryMode != capsule.DeliveryGitOps || env.Git == nil || env.Git.URL == "" {
		return envstate.State{}, false, nil
	}
	token := ""
	if g.token != nil {
		var err error
		if token, err = g.token(ctx, env); err != nil {
			return envstate.State{}, false, err
		}
	}
	t := gitTarget(promotion.GitTarget{URL: env.Git.URL, Branch: env.Git.Branch, Path: env.Git.Path, Provider: env.Git.Provider, Token: token})
	files, commit, err := g.d.ReadPath(ctx, t)
	if err != nil {
		return envstate.State{}, false, err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		if manifestFile(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	st := envstate.State{Source: envstate.SourceGit, Objects: []manifest.Object{}}
	for _, name := range names {
		objs, err := manifest.Parse(fmt.Sprintf("git:%s:%s", shortCommit(commit), path.Join(env.Git.Path, name)), files[name])
		if err != nil {
			return envstate.State{}, false, fmt.Errorf("environment %s: reading its Git path: %w", env.Name, err)
		}
		for _, o := range objs {
			if svc != nil && o.GetKind() != "Namespace" && o.GetLabels()[deploy.LabelService] != svc.Name {
				continue
			}
			if o.GetNamespace() == "" && !manifest.ClusterScoped(o.GroupVersionKind().Group, o.GetKind()) {
				o.SetNamespace(env.Namespace)
			}
			st.Objects = append(st.Objects, o)
		}
	}
	return st, true, nil
}

// manifestFile reports whether a file under the Git path holds objects.
func manifestFile(name string) bool {
	base := path.Base(name)
	switch strings.ToLower(base) {
	case "kustomization.yaml", "kustomization.yml", "kustomization", ".capsule-managed":
		return false
	}
	ext := strings.ToLower(path.Ext(base))
	return ext == ".yaml" || ext == ".yml" || ext == ".json"
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}
