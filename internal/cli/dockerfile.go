package cli

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/detect"
	"github.com/usecapsule/capsule/internal/dockerfile"
)

func newDockerfileCmd(s Streams) *cobra.Command {
	var (
		service      string
		force, print bool
	)
	cmd := &cobra.Command{
		Use:   "dockerfile [PATH]",
		Short: "Write a Dockerfile and .dockerignore",
		Long: `Dockerfile detects the services in a repository (default: the current
directory) and writes a readable, commented, multi-stage Dockerfile and a
.dockerignore into each service's directory: base image pinned to the detected
runtime version, dependencies installed before the source is copied, a small
runtime stage running as a non-root user, the detected port and start command.
A repository's own Dockerfile is kept unless --force is given.`,
		Example: `  capsule dockerfile
  capsule dockerfile ./services/api --stdout
  capsule dockerfile --service web --force`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			root := pathArg(args)
			services, lay, err := detectWithLayout(s, root, service)
			if err != nil {
				return err
			}
			var failed []error
			written := map[string]bool{}
			for _, sv := range services {
				if print {
					failed = append(failed, printDockerfile(s, sv))
					continue
				}
				// Procfile processes of one directory share its image: one
				// Dockerfile, the first service's, written once.
				img := lay.imageOf(sv)
				if img.Name != sv.Name {
					fmt.Fprintf(s.Err, "%s runs the image of %s (same directory) with its own command\n", sv.Name, img.Name)
				}
				if written[img.Name] {
					continue
				}
				written[img.Name] = true
				failed = append(failed, writeDockerfiles(s, root, img, force, true)...)
			}
			return joinFailures(failed)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing Dockerfile and .dockerignore")
	cmd.Flags().BoolVar(&print, "stdout", false, "print the Dockerfile instead of writing files")
	cmd.Flags().StringVar(&service, "service", "", "only this service of a monorepo")
	return cmd
}

func printDockerfile(s Streams, sv detect.Service) error {
	f, err := dockerfile.Generate(sv)
	if err != nil {
		return err
	}
	_, err = s.Out.Write(f.Dockerfile)
	return err
}

// writeDockerfiles writes the service's Dockerfile and .dockerignore,
// keeping existing files unless force. A service's own Dockerfile is an
// error when the user asked for a Dockerfile (strict), a note otherwise.
func writeDockerfiles(s Streams, root string, sv detect.Service, force, strict bool) []error {
	dir := filepath.Join(root, sv.Path)
	if sv.Dockerfile && !force {
		existing := filepath.Join(dir, "Dockerfile")
		if strict {
			return []error{fmt.Errorf("%s exists and capsule uses it; use --force to replace it", existing)}
		}
		fmt.Fprintf(s.Err, "kept %s (the service's own); --force replaces it\n", existing)
		return nil
	}
	f, err := dockerfile.Generate(sv)
	if err != nil {
		return []error{err}
	}
	var errs []error
	for _, file := range []struct {
		name string
		data []byte
	}{{"Dockerfile", f.Dockerfile}, {".dockerignore", f.Dockerignore}} {
		path := filepath.Join(dir, file.name)
		if err := writeNew(path, file.data, force); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(s.Out, "wrote %s\n", path)
	}
	return errs
}
