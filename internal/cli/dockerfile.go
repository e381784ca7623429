package cli

import "github.com/spf13/cobra"

// TODO(owner of this verb): replace this placeholder with the real command.
func newDockerfileCmd(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "dockerfile",
		Short: "Write a Dockerfile and .dockerignore",
		RunE: func(*cobra.Command, []string) error {
			return withExitCode(ExitError, errNotBuilt("dockerfile"))
		},
	}
}
