package cli

import (
	"fmt"
	"net/http"
	"net/url"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/httpapi"
)

// newSessionsCmd lists where the signed-in user is signed in and signs one
// of those sessions out, as GitHub's "sessions" settings page does.
func newSessionsCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sessions",
		Short: "Where you are signed in: list your sessions, sign one out",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var contextName, output string
	list := &cobra.Command{
		Use: "list", Short: "List your live sessions (the current one is marked *)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(output, "table", "json", "yaml"); err != nil {
				return err
			}
			return withClient(cmd.Context(), contextName, func(c *apiclient.Client) error {
				var l httpapi.SignInList
				if err := c.Do(cmd.Context(), http.MethodGet, "/api/v1/auth/sessions", nil, &l); err != nil {
					return err
				}
				return printValue(s.Out, output, l, func(tw *tabwriter.Writer) {
					fmt.Fprintln(tw, "ID\tSIGNED IN\tLAST USED\tIP\tCLIENT")
					for _, x := range l.Items {
						id := x.ID
						if x.Current {
							id += " *"
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", id, x.SignedInAt.Format(time.RFC3339),
							x.LastUsedAt.Format(time.RFC3339), x.IP, x.UserAgent)
					}
				})
			})
		},
	}
	list.Flags().StringVar(&contextName, "context", "", "the context to use (default: current)")
	outputFlag(list, &output, "table", "json", "yaml")
	var revokeContext string
	revoke := &cobra.Command{
		Use: "revoke ID", Short: "Sign one of your sessions out (its tokens stop working within a second)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withClient(cmd.Context(), revokeContext, func(c *apiclient.Client) error {
				if err := c.Do(cmd.Context(), http.MethodDelete, "/api/v1/auth/sessions/"+url.PathEscape(args[0]), nil, nil); err != nil {
					return err
				}
				fmt.Fprintf(s.Out, "session %s signed out\n", args[0])
				return nil
			})
		},
	}
	revoke.Flags().StringVar(&revokeContext, "context", "", "the context to use (default: current)")
	cmd.AddCommand(list, revoke)
	return cmd
}
