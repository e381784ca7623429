package cli

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/export"
)

// maxExportBytes bounds the archive the CLI accepts; an export is text.
const maxExportBytes = 256 << 20

type exportOptions struct {
	format, out, contextName, ageRecipient string
	force                                  bool
}

// newExportCmd downloads the project's export from the server and writes it
// into a directory, so that the server is the one place exports are made
// (and audited).
func newExportCmd(s Streams) *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:   "export [PROJECT]",
		Short: "Export a project as plain Kustomize, Helm, Terraform and Docker Compose files",
		Long: `Export writes everything needed to run a project without Capsule:

  kubernetes/base, kubernetes/overlays/<env>    Kustomize (kubectl apply -k)
  helm/charts/<project>, helm/values-<env>.yaml
  terraform/modules/<service>, terraform/environments/<env>
  docker-compose/docker-compose.yml
  docs/README.md, docs/MIGRATION.md, docs/ARCHITECTURE.md

No secret value is written: workloads reference the Secret <service>-secrets
and docs/README.md says how to create it. PROJECT is a slug, name or ID; it
may be left out when you can see only one project. The output directory must
be empty or not exist, unless --force (files of the export are overwritten,
others are left alone). Exports are audited.`,
		Example: `  capsule export shop --out shop-export
  capsule export shop --format kustomize --out gitops --force`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := export.CheckFormat(o.format); err != nil {
				var fe *export.FormatError
				if errors.As(err, &fe) {
					return usageError("--format %q is not a format (valid: %s)", o.format, strings.Join(export.ValidFormats, ", "))
				}
				return usageError("--format: %v", err)
			}
			if o.ageRecipient != "" {
				if err := export.CheckAgeRecipient(o.ageRecipient); err != nil {
					return usageError("%v", err)
				}
			}
			if o.out == "" {
				return usageError("--out DIR is required")
			}
			if err := checkOutDir(o.out, o.force); err != nil {
				return withExitCode(ExitError, err)
			}
			return withClient(cmd.Context(), o.contextName, func(c *apiclient.Client) error {
				return runExport(cmd.Context(), s, c, args, o)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.format, "format", export.FormatAll, "what to write: "+strings.Join(export.ValidFormats, "|"))
	f.StringVar(&o.out, "out", "", "directory to write into (created when missing)")
	f.BoolVar(&o.force, "force", false, "write into a directory that is not empty")
	f.StringVar(&o.contextName, "context", "", "the context to use (default: current)")
	f.StringVar(&o.ageRecipient, "age-recipient", "", "also write the secret values, encrypted to this age public key (age1...), to secrets/<env>/<service>.env.age; needs secrets:read, and each read is audited")
	return cmd
}

func runExport(ctx context.Context, s Streams, c *apiclient.Client, args []string, o exportOptions) error {
	id, err := exportProjectID(ctx, c, args)
	if err != nil {
		return err
	}
	b, err := c.Download(ctx, "/api/v1/projects/"+url.PathEscape(id)+"/export?format="+url.QueryEscape(o.format), maxExportBytes)
	if err != nil {
		return err
	}
	n, err := extractExport(b, o.out)
	if err != nil {
		return withExitCode(ExitError, err)
	}
	if o.ageRecipient != "" {
		sealed, err := sealSecrets(ctx, s, c, id, o)
		if err != nil {
			return err
		}
		n += sealed
	}
	fmt.Fprintf(s.Out, "wrote %d files to %s; start with %s\n", n, o.out, filepath.Join(o.out, "docs", "README.md"))
	return nil
}

// exportProjectID resolves PROJECT, or the caller's only project.
func exportProjectID(ctx context.Context, c *apiclient.Client, args []string) (string, error) {
	if len(args) == 1 {
		return resolveRef(ctx, c, "projects", args[0])
	}
	page, err := c.List(ctx, "/api/v1/projects", url.Values{"limit": {"500"}}, true)
	if err != nil {
		return "", err
	}
	if len(page.Items) != 1 {
		return "", usageError("name the project to export: you can see %d projects", len(page.Items))
	}
	return fmt.Sprint(page.Items[0]["id"]), nil
}

// checkOutDir refuses a directory that has files, unless force.
func checkOutDir(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("--out %s: %w", dir, err)
	case len(entries) > 0 && !force:
		return fmt.Errorf("--out %s is not empty (%d entries); choose an empty directory or add --force", dir, len(entries))
	}
	return nil
}

// extractExport writes the regular files of a tar.gz under dir; a name
// that would leave dir is refused.
func extractExport(b []byte, dir string) (int, error) {
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return 0, fmt.Errorf("the export is not a gzip archive: %w", err)
	}
	tr := tar.NewReader(gz)
	n := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("reading the export: %w", err)
		}
		name := filepath.FromSlash(h.Name)
		if h.Typeflag != tar.TypeReg || !filepath.IsLocal(name) {
			return n, fmt.Errorf("the export holds %q, which is not a file inside the output directory", h.Name)
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return n, err
		}
		data, err := io.ReadAll(io.LimitReader(tr, maxExportBytes))
		if err != nil {
			return n, err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return n, err
		}
		n++
	}
}
