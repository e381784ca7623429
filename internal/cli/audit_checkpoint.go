package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/httpapi"
)

func newAuditCheckpointCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Export the signed checkpoints of the audit chain's head",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var contextName, out string
	var limit int
	export := &cobra.Command{
		Use:   "export [--out FILE]",
		Short: "Write the newest signed checkpoints (and the public key that checks them) as JSON",
		Long: `Fetch the signed checkpoints of the audit chain's head from the server of the current
context (GET /api/v1/audit/checkpoints; installation admins only) and write them as JSON with
the Ed25519 public key that checks them. Keep the file somewhere the server cannot write: a
checkpoint beyond the stored log's head names entries deleted from it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return exportCheckpoints(cmd.Context(), s, contextName, out, limit)
		},
	}
	f := export.Flags()
	f.StringVar(&contextName, "context", "", "the context to use (default: current)")
	f.StringVarP(&out, "out", "o", "", "write to this new file (mode 0600) instead of stdout")
	f.IntVar(&limit, "limit", 100, "how many of the newest checkpoints (1 to 1000)")
	cmd.AddCommand(export)
	return cmd
}

func exportCheckpoints(ctx context.Context, s Streams, contextName, out string, limit int) error {
	if limit < 1 || limit > 1000 {
		return withExitCode(ExitUsage, fmt.Errorf("--limit %d: want 1 to 1000", limit))
	}
	var cps httpapi.AuditCheckpoints
	err := withClient(ctx, contextName, func(c *apiclient.Client) error {
		return c.Do(ctx, "GET", fmt.Sprintf("/api/v1/audit/checkpoints?limit=%d", limit), nil, &cps)
	})
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(cps, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if out == "" {
		_, err = s.Out.Write(b)
		return err
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
