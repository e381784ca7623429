package cli

import "github.com/spf13/cobra"

// TODO(owner of this verb): replace this placeholder with the real command.
func newLoginCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "login",
		Short: "Log in to a Capsule server",
		RunE: func(*cobra.Command, []string) error {
			return withExitCode(ExitError, errNotBuilt("login"))
		},
	}
}
