package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/render"
	"github.com/usecapsule/capsule/internal/servicespec"
)

type renderOptions struct {
	root, env, format, service string
	opts                       render.Options
	noNamespace                bool
}

func newRenderCmd(s Streams) *cobra.Command {
	var o renderOptions
	cmd := &cobra.Command{
		Use:   "render [PATH]",
		Short: "Render the Kubernetes objects of a service",
		Long: `Render prints the Kubernetes objects that run a service in an environment:
workload (Deployment, StatefulSet or CronJob), Service, Ingress, autoscaler,
disruption budget, probes, resources, restricted security context,
NetworkPolicy and env from ConfigMap and Secret references.

PATH is a capsule.yaml, or a directory holding one (default: the current
directory). Without a capsule.yaml the services are detected and rendered with
the defaults capsule init would write. --env selects the environment's
overrides from capsule.yaml; an environment the file does not name gets the
base configuration (a warning says so).

With -n the stream starts with that Namespace, labelled to enforce the
restricted Pod Security Standard the pods meet, so the output applies to a
fresh cluster; --no-namespace leaves it out (the namespace is managed
elsewhere).`,
		Example: `  capsule render --env production
  capsule render ./services/api --env staging -o json
  capsule render --env production --image ghcr.io/acme/api:1.4.2 -n acme`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := checkFormat(o.format, "yaml", "json"); err != nil {
				return err
			}
			if o.env != "" && !capsule.IsDNSLabel(o.env) {
				return usageError("--env %q is not an environment name (lowercase letters, digits and '-')", o.env)
			}
			o.root = pathArg(args)
			o.opts.Env = o.env
			return runRender(s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.env, "env", "", "environment whose overrides apply (development, staging, production, pr-42, ...)")
	f.StringVarP(&o.opts.Namespace, "namespace", "n", "", "namespace set on every object, and rendered first (default: none, kubectl or GitOps decides)")
	f.BoolVar(&o.noNamespace, "no-namespace", false, "with -n, do not render the Namespace object itself")
	f.StringVar(&o.opts.Image, "image", "", "image to run (default: capsule.yaml's image, else NAME:latest)")
	f.StringVar(&o.opts.PartOf, "part-of", "", "application (project) the service belongs to, for labels and NetworkPolicy")
	f.StringVar(&o.opts.IngressNamespace, "ingress-namespace", "ingress-nginx", "namespace of the ingress controller, allowed in by the NetworkPolicy")
	f.StringVar(&o.opts.Slot, "slot", "blue", "active blue-green slot: blue or green")
	f.StringVar(&o.opts.CanaryImage, "canary-image", "", "with the canary strategy, render the canary Deployment with this image")
	f.StringVar(&o.service, "service", "", "only this service, when rendering from detection")
	outputFlag(cmd, &o.format, "yaml", "json")
	return cmd
}

func runRender(s Streams, o renderOptions) error {
	specs, err := renderSpecs(s, o)
	if err != nil {
		return err
	}
	var objs []render.Object
	if o.opts.Namespace != "" && !o.noNamespace {
		objs = append(objs, render.Namespace(o.opts.Namespace))
	}
	for _, spec := range specs {
		out, err := render.Render(spec, o.opts)
		if err != nil {
			return withExitCode(ExitError, err)
		}
		objs = append(objs, out...)
	}
	b, err := render.Marshal(objs, o.format)
	if err != nil {
		return withExitCode(ExitError, err)
	}
	_, err = s.Out.Write(b)
	return err
}

// renderSpecs resolves the specs to render: from capsule.yaml when PATH is
// one or holds one; else each detected service from the capsule.yaml in its
// directory (capsule init in a monorepo writes one per member) or, without
// one, from detection with init's defaults.
func renderSpecs(s Streams, o renderOptions) ([]*servicespec.Spec, error) {
	path, err := specPath(o.root)
	if err != nil {
		return nil, withExitCode(ExitError, err)
	}
	if path != "" {
		return loadSpecs(s, o, path)
	}
	services, lay, err := detectWithLayout(s, o.root, o.service)
	if err != nil {
		return nil, err
	}
	var specs []*servicespec.Spec
	for _, sv := range services {
		dir := filepath.Join(o.root, sv.Path)
		var spec *servicespec.Spec
		if p := filepath.Join(dir, lay.file[sv.Name]); dir != o.root && exists(p) {
			spec, err = loadSpec(s, p, o.env)
		} else {
			spec, err = detectedSpec(dir, lay.specOf(sv), o.env)
		}
		if err != nil {
			return nil, err
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

// loadSpec loads a capsule.yaml and resolves env, warning when the file
// has no such environment.
func loadSpec(s Streams, path, env string) (*servicespec.Spec, error) {
	f, err := servicespec.Load(path)
	if err != nil {
		return nil, withExitCode(ExitError, err)
	}
	if env != "" && !f.HasEnvironment(env) {
		fmt.Fprintf(s.Err, "warning: %s has no environment %q (it has %v); rendering the base configuration\n", path, env, f.Environments())
	}
	spec, err := f.Resolve(env)
	if err != nil {
		return nil, withExitCode(ExitError, err)
	}
	return spec, nil
}

// detectedSpec goes through the file format, so that detection gets the
// same defaults and checks as a written capsule.yaml.
func detectedSpec(dir string, sv servicespec.Spec, env string) (*servicespec.Spec, error) {
	b, err := servicespec.Marshal(sv)
	if err != nil {
		return nil, withExitCode(ExitError, err)
	}
	f, err := servicespec.Parse(filepath.Join(dir, "(detected) "+servicespec.FileName), b)
	if err != nil {
		return nil, withExitCode(ExitError, err)
	}
	spec, err := f.Resolve(env)
	if err != nil {
		return nil, withExitCode(ExitError, err)
	}
	return spec, nil
}

// specPath returns root when it is a file, root/capsule.yaml when that
// exists, else "".
func specPath(root string) (string, error) {
	st, err := os.Stat(root)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return root, nil
	}
	p := filepath.Join(root, servicespec.FileName)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	return "", nil
}
