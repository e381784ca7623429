package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/httpapi"
)

// usersOptions are the flags every `capsule users` verb shares.
type usersOptions struct {
	org, contextName, output string
	passwordStdin            bool
}

func newUsersCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Administer password users: create, list, disable, enable, delete, reset-password",
		Long: `Administer the users of an organization (--org, default "default"). You need org:manage
there, and to disable, enable, delete or reset a user you must manage every organization
they belong to (as an owner wherever they are one). Every change is in the audit log;
disabling or deleting a user, and resetting their password, signs them out everywhere.

reset-password also works offline against the database (--data-dir or --database-url, as for
capsule server), the way back when the generated owner password was lost.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newUsersListCmd(s), newUsersCreateCmd(s), newUsersResetCmd(s),
		newUsersActionCmd(s, "disable", "Disable a user: no sign-in, every session revoked"),
		newUsersActionCmd(s, "enable", "Re-enable a disabled user"),
		newUsersActionCmd(s, "delete", "Delete a user with their sessions and the organizations only they belong to"))
	return cmd
}

func (o *usersOptions) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.org, "org", "default", "organization ID or slug")
	cmd.Flags().StringVar(&o.contextName, "context", "", "the context to use (default: current)")
	outputFlag(cmd, &o.output, "table", "json", "yaml")
}

// orgPath resolves --org and returns the organization's users path.
func (o *usersOptions) orgPath(ctx context.Context, c *apiclient.Client) (string, error) {
	if err := checkFormat(o.output, "table", "json", "yaml"); err != nil {
		return "", err
	}
	id, err := resolveRef(ctx, c, "organizations", o.org)
	if err != nil {
		return "", err
	}
	return "/api/v1/organizations/" + url.PathEscape(id) + "/users", nil
}

func newUsersListCmd(s Streams) *cobra.Command {
	o := &usersOptions{}
	cmd := &cobra.Command{
		Use: "list", Short: "List the organization's users", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withClient(cmd.Context(), o.contextName, func(c *apiclient.Client) error {
				base, err := o.orgPath(cmd.Context(), c)
				if err != nil {
					return err
				}
				var l httpapi.AdministeredUserList
				if err := c.Do(cmd.Context(), http.MethodGet, base, nil, &l); err != nil {
					return err
				}
				return printValue(s.Out, o.output, l, func(tw *tabwriter.Writer) { userRows(tw, l.Items...) })
			})
		},
	}
	o.flags(cmd)
	return cmd
}

func userRows(tw *tabwriter.Writer, us ...httpapi.AdministeredUser) {
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tSTATUS")
	for _, u := range us {
		status := "active"
		if u.DisabledAt != nil {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, u.Role, status)
	}
}

// printUser prints a user, and a generated password once, on its own line
// in the table so it can be copied (JSON and YAML carry it as a field).
func printUser(s Streams, format string, u httpapi.AdministeredUser) error {
	return printValue(s.Out, format, u, func(tw *tabwriter.Writer) {
		userRows(tw, u)
		if u.GeneratedPassword != "" {
			fmt.Fprintf(tw, "\nPassword (shown once): %s\n", u.GeneratedPassword)
		}
	})
}

func newUsersCreateCmd(s Streams) *cobra.Command {
	o := &usersOptions{}
	var name, role string
	cmd := &cobra.Command{
		Use: "create EMAIL", Short: "Create a password user in the organization (a password is generated and printed once unless --password-stdin)",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req := httpapi.UserCreateRequest{Email: args[0], Name: name, Role: role}
			if o.passwordStdin {
				var err error
				if req.Password, err = stdinPassword(s.In); err != nil {
					return err
				}
			}
			return withClient(cmd.Context(), o.contextName, func(c *apiclient.Client) error {
				base, err := o.orgPath(cmd.Context(), c)
				if err != nil {
					return err
				}
				var u httpapi.AdministeredUser
				if err := c.Do(cmd.Context(), http.MethodPost, base, req, &u); err != nil {
					return err
				}
				return printUser(s, o.output, u)
			})
		},
	}
	o.flags(cmd)
	cmd.Flags().StringVar(&name, "name", "", "display name (default: the email's local part)")
	cmd.Flags().StringVar(&role, "role", "developer", "role in the organization")
	cmd.Flags().BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from standard input instead of generating one")
	return cmd
}

func newUsersActionCmd(s Streams, verb, short string) *cobra.Command {
	o := &usersOptions{}
	cmd := &cobra.Command{
		Use: verb + " EMAIL|ID", Short: short, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withClient(cmd.Context(), o.contextName, func(c *apiclient.Client) error {
				target, err := o.userPath(cmd.Context(), c, args[0])
				if err != nil {
					return err
				}
				if verb == "delete" {
					if err := c.Do(cmd.Context(), http.MethodDelete, target, nil, nil); err != nil {
						return err
					}
					_, err = fmt.Fprintf(s.Out, "user %s deleted\n", args[0])
					return err
				}
				var u httpapi.AdministeredUser
				if err := c.Do(cmd.Context(), http.MethodPost, target+"/"+verb, nil, &u); err != nil {
					return err
				}
				return printUser(s, o.output, u)
			})
		},
	}
	o.flags(cmd)
	return cmd
}

// userPath finds a user of the organization by email (any case) or ID.
func (o *usersOptions) userPath(ctx context.Context, c *apiclient.Client, ref string) (string, error) {
	base, err := o.orgPath(ctx, c)
	if err != nil {
		return "", err
	}
	var l httpapi.AdministeredUserList
	if err := c.Do(ctx, http.MethodGet, base, nil, &l); err != nil {
		return "", err
	}
	for _, u := range l.Items {
		if u.ID == ref || strings.EqualFold(u.Email, ref) {
			return base + "/" + url.PathEscape(u.ID), nil
		}
	}
	return "", fmt.Errorf("no user %q in organization %s", ref, o.org)
}

// stdinPassword reads one line of standard input as a password.
func stdinPassword(in io.Reader) (string, error) {
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	if p := strings.TrimRight(line, "\r\n"); p != "" {
		return p, nil
	}
	return "", usageError("--password-stdin: standard input is empty")
}
