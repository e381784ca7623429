// Package export turns a project's stored configuration into plain files a
// team can run without Capsule: Kustomize (base + one overlay per
// environment), Docker Compose, Terraform (kubernetes provider), and the
// documentation that explains them. It is pure: the input is the project,
// its environments and its services; the output is a map of file path to
// content, equal for equal inputs.
//
// Decisions:
//   - Every format starts from what Capsule renders (internal/render) for
//     each environment, so an export applies exactly what Capsule would.
//   - The reference environment is the first development environment (by
//     name), else the first environment by name; the Kustomize base holds
//     its objects and Docker Compose its configuration.
//   - Secret values are never written: workloads reference the Secret
//     <service>-secrets (render's envFrom), Compose reads an env_file the
//     user creates, and README says how to create both.
//   - A stored service has one configuration for every environment; what
//     differs between environments is the namespace and the instance label.
//     The overlays still hold a generic difference (JSON 6902 patches,
//     added and deleted objects), so per-environment overrides need no new
//     format code.
package export

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/render"
)

// Formats, and "all" for every one of them.
const (
	FormatKustomize = "kustomize"
	FormatHelm      = "helm"
	FormatTerraform = "terraform"
	FormatCompose   = "compose"
	FormatAll       = "all"
)

// Formats lists the formats Export writes, in the order "all" writes them.
var Formats = []string{FormatKustomize, FormatHelm, FormatTerraform, FormatCompose}

// ValidFormats are the values --format and ?format= accept.
var ValidFormats = []string{FormatKustomize, FormatHelm, FormatTerraform, FormatCompose, FormatAll}

// ErrNoServices is returned for a project with nothing to export.
var ErrNoServices = errors.New("export: the project has no services; create one first (capsule services create)")

// ErrNoEnvironments is returned for a project without environments.
var ErrNoEnvironments = errors.New("export: the project has no environments; create one first (capsule environments create)")

// Input is what is exported.
type Input struct {
	Project      capsule.Project
	Environments []capsule.Environment
	Services     []capsule.Service
}

// FormatError names an unknown format and the valid ones.
type FormatError struct{ Format string }

func (e *FormatError) Error() string {
	return fmt.Sprintf("export: unknown format %q (valid: %s)", e.Format, strings.Join(ValidFormats, ", "))
}

// CheckFormat returns nil for a format Export knows.
func CheckFormat(format string) error {
	if !slices.Contains(ValidFormats, format) {
		return &FormatError{Format: format}
	}
	return nil
}

// Export writes format ("all" for every one) of in. Paths use "/" and are
// relative to the output directory; docs/ is always written.
func Export(in Input, format string) (map[string][]byte, error) {
	if err := CheckFormat(format); err != nil {
		return nil, err
	}
	p, err := prepare(in)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, f := range Formats {
		if format != FormatAll && format != f {
			continue
		}
		var err error
		switch f {
		case FormatKustomize:
			err = p.kustomize(files)
		case FormatHelm:
			err = p.helm(files)
		case FormatTerraform:
			err = p.terraform(files)
		case FormatCompose:
			err = p.compose(files)
		}
		if err != nil {
			return nil, err
		}
	}
	p.docs(files, format)
	return files, nil
}

// Paths returns the file names of files, sorted.
func Paths(files map[string][]byte) []string {
	out := make([]string, 0, len(files))
	for k := range files {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// prepared is the input with every service rendered in every environment.
type prepared struct {
	in   Input
	envs []capsule.Environment // sorted, reference first
	svcs []capsule.Service     // sorted by name
	// objs[env][i] are the objects of svcs[i] in env, without namespace.
	objs map[string][][]render.Object
	// specs[i] are the reference environment's resolved specs.
	ref string
}

func prepare(in Input) (*prepared, error) {
	if len(in.Services) == 0 {
		return nil, ErrNoServices
	}
	if len(in.Environments) == 0 {
		return nil, ErrNoEnvironments
	}
	p := &prepared{in: in, objs: map[string][][]render.Object{}}
	p.envs = slices.Clone(in.Environments)
	sort.Slice(p.envs, func(i, j int) bool { return p.envs[i].Name < p.envs[j].Name })
	ref := 0
	for i, e := range p.envs {
		if e.Kind == capsule.EnvDevelopment {
			ref = i
			break
		}
	}
	p.envs = append([]capsule.Environment{p.envs[ref]}, append(slices.Clone(p.envs[:ref]), p.envs[ref+1:]...)...)
	p.ref = p.envs[0].Name
	p.svcs = slices.Clone(in.Services)
	sort.Slice(p.svcs, func(i, j int) bool { return p.svcs[i].Name < p.svcs[j].Name })
	for _, e := range p.envs {
		for _, sv := range p.svcs {
			objs, err := RenderService(in.Project, e, sv, "")
			if err != nil {
				return nil, err
			}
			p.objs[e.Name] = append(p.objs[e.Name], objs)
		}
	}
	return p, nil
}

// RenderService renders sv as Capsule does for env, with namespace set on
// every object (empty: none).
func RenderService(pr capsule.Project, env capsule.Environment, sv capsule.Service, namespace string) ([]render.Object, error) {
	spec, err := SpecOf(sv)
	if err != nil {
		return nil, err
	}
	objs, err := render.Render(spec, render.Options{Env: env.Name, Namespace: namespace, Image: sv.Source.Image, PartOf: pr.Slug})
	if err != nil {
		return nil, fmt.Errorf("export: service %s in %s: %w", sv.Name, env.Name, err)
	}
	return objs, nil
}
