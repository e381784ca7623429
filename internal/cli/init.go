package cli

import "github.com/spf13/cobra"

// TODO(owner of this verb): replace this placeholder with the real command.
func newInitCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Write capsule.yaml from detection",
		RunE: func(*cobra.Command, []string) error {
			return withExitCode(ExitError, errNotBuilt("init"))
		},
	}
}
