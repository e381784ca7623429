package cli

import "github.com/spf13/cobra"

// TODO(owner of this verb): replace this placeholder with the real command.
func newCostCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "cost",
		Short: "Estimate the monthly cost of Kubernetes manifests",
		RunE: func(*cobra.Command, []string) error {
			return withExitCode(ExitError, errNotBuilt("cost"))
		},
	}
}
