package cli

import "github.com/spf13/cobra"

// TODO(owner of this verb): replace this placeholder with the real command.
func newRenderCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "render",
		Short: "Render the Kubernetes objects of a service",
		RunE: func(*cobra.Command, []string) error {
			return withExitCode(ExitError, errNotBuilt("render"))
		},
	}
}
