package cli

import "github.com/spf13/cobra"

// TODO(foundation): orgs|projects|envs|services|deployments list|get|create|delete.
func newResourceCmds(s Streams) []*cobra.Command { return nil }
