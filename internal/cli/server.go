package cli

import "github.com/spf13/cobra"

// TODO(owner of this verb): replace this placeholder with the real command.
func newServerCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "server",
		Short: "Run the Capsule control plane",
		RunE: func(*cobra.Command, []string) error {
			return withExitCode(ExitError, errNotBuilt("server"))
		},
	}
}
