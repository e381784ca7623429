package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/detect"
	"github.com/usecapsule/capsule/internal/servicespec"
)

func newInitCmd(s Streams) *cobra.Command {
	var o initOptions
	cmd := &cobra.Command{
		Use:   "init [PATH]",
		Short: "Write capsule.yaml from detection",
		Long: `Init detects the services in a repository (default: the current directory)
and writes a capsule.yaml into each service's directory: name, type, build and
start commands, port, resources preset, health check, deploy strategy, and
staging/production overrides to edit. An existing capsule.yaml is kept unless
--force is given. With --dockerfile it also writes a Dockerfile and
.dockerignore, like capsule dockerfile.`,
		Example: `  capsule init
  capsule init ./my-monorepo --service api --dockerfile
  capsule init --force`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			o.root = pathArg(args)
			return runInit(s, o)
		},
	}
	cmd.Flags().BoolVar(&o.dockerfile, "dockerfile", false, "also write a Dockerfile and .dockerignore")
	cmd.Flags().BoolVar(&o.force, "force", false, "overwrite existing files")
	cmd.Flags().StringVar(&o.service, "service", "", "only this service of a monorepo")
	return cmd
}

type initOptions struct {
	root       string
	service    string
	dockerfile bool
	force      bool
}

func runInit(s Streams, o initOptions) error {
	services, lay, err := detectWithLayout(s, o.root, o.service)
	if err != nil {
		return err
	}
	var failed []error
	written := map[string]bool{}
	for _, sv := range services {
		b, err := servicespec.Marshal(lay.specOf(sv))
		if err != nil {
			return withExitCode(ExitError, err)
		}
		path := filepath.Join(o.root, sv.Path, lay.file[sv.Name])
		if err := writeNew(path, b, o.force); err != nil {
			failed = append(failed, err)
		} else {
			fmt.Fprintf(s.Out, "wrote %s\n", path)
		}
		if img := lay.imageOf(sv); o.dockerfile && !written[img.Name] {
			// Processes of one directory share the first one's image.
			written[img.Name] = true
			failed = append(failed, writeDockerfiles(s, o.root, img, o.force, false)...)
		}
	}
	return joinFailures(failed)
}

// pathArg is the PATH argument, or the current directory.
func pathArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}

// detectWithLayout detects root's services, keeping only name when set, with
// the layout of every detected service (which file describes it, whose image
// it runs). Detection's warnings (a manifest that could not be parsed, a
// monorepo member that could not be detected) are reported on stderr, as the
// generated files cannot show them. A repository with nothing deployable
// stays an error here: there is nothing to write a configuration for.
func detectWithLayout(s Streams, root, name string) ([]detect.Service, processLayout, error) {
	res, err := detect.Detect(root, detect.Options{})
	if err != nil {
		return nil, processLayout{}, withExitCode(ExitError, err)
	}
	for _, w := range detectWarnings(res) {
		fmt.Fprintln(s.Err, w)
	}
	lay := layoutOf(res.Services)
	selected, err := selectService(res.Services, root, name)
	return selected, lay, err
}

// selectService keeps only the service called name, when name is set.
func selectService(services []detect.Service, root, name string) ([]detect.Service, error) {
	if name == "" {
		return services, nil
	}
	var names []string
	for _, sv := range services {
		if sv.Name == name {
			return []detect.Service{sv}, nil
		}
		names = append(names, sv.Name)
	}
	return nil, usageError("no service %q in %s (detected: %v)", name, root, names)
}

// writeNew writes data to path, refusing to replace a file unless force.
func writeNew(path string, data []byte, force bool) error {
	if !force {
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("%s exists; use --force to overwrite it", path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// joinFailures turns the per-file errors into one error (exit code 1).
func joinFailures(errs []error) error {
	var kept []error
	for _, e := range errs {
		if e != nil {
			kept = append(kept, e)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return withExitCode(ExitError, errors.Join(kept...))
}
