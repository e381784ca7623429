package cli

import "github.com/spf13/cobra"

// TODO(owner of this verb): replace this placeholder with the real command.
func newPreviewCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "preview",
		Short: "Preview a promotion: diff, cost, risk and explanation",
		RunE: func(*cobra.Command, []string) error {
			return withExitCode(ExitError, errNotBuilt("preview"))
		},
	}
}
