package cli

import "github.com/spf13/cobra"

// TODO(owner of this verb): replace this placeholder with the real command.
func newAuditCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "audit",
		Short: "Inspect and verify the audit log",
		RunE: func(*cobra.Command, []string) error {
			return withExitCode(ExitError, errNotBuilt("audit"))
		},
	}
}
