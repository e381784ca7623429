package cli

import "github.com/spf13/cobra"

// TODO(owner of this verb): replace this placeholder with the real command.
func newDetectCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "detect",
		Short: "Detect the deployable services in a repository",
		RunE: func(*cobra.Command, []string) error {
			return withExitCode(ExitError, errNotBuilt("detect"))
		},
	}
}
