package cli

import "github.com/spf13/cobra"

// TODO(owner of this verb): replace this placeholder with the real command.
func newDevCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "dev",
		Short: "Local development helpers (a simulated cluster)",
		RunE: func(*cobra.Command, []string) error {
			return withExitCode(ExitError, errNotBuilt("dev"))
		},
	}
}
