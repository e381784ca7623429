package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identity/password"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/server"
)

func newUsersResetCmd(s Streams) *cobra.Command {
	o := &usersOptions{}
	local := &auditVerifyOptions{}
	cmd := &cobra.Command{
		Use:   "reset-password EMAIL|ID",
		Short: "Set a new password (generated and printed once unless --password-stdin) and sign the user out everywhere",
		Long: `Set a user's password and revoke every session they have.

Through the server of the current context by default. With --data-dir or --database-url it
works offline on the database itself, like capsule audit verify: the way back into a server
whose generated owner password was lost (capsule users reset-password admin@localhost
--data-dir /var/lib/capsule). The change is audited either way; offline as the system actor.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(o.output, "table", "json", "yaml"); err != nil {
				return err
			}
			var req httpapi.PasswordResetRequest
			if o.passwordStdin {
				var err error
				if req.Password, err = stdinPassword(s.In); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("data-dir") || cmd.Flags().Changed("database-url") {
				u, err := resetLocal(cmd.Context(), local, args[0], req.Password)
				if err != nil {
					return err
				}
				return printUser(s, o.output, u)
			}
			return withClient(cmd.Context(), o.contextName, func(c *apiclient.Client) error {
				target, err := o.userPath(cmd.Context(), c, args[0])
				if err != nil {
					return err
				}
				var u httpapi.AdministeredUser
				if err := c.Do(cmd.Context(), http.MethodPost, target+"/reset-password", req, &u); err != nil {
					return err
				}
				return printUser(s, o.output, u)
			})
		},
	}
	o.flags(cmd)
	cmd.Flags().BoolVar(&o.passwordStdin, "password-stdin", false, "read the new password from standard input instead of generating one")
	cmd.Flags().StringVar(&local.dataDir, "data-dir", envOr("CAPSULE_DATA_DIR", server.DefaultDataDir), "offline: directory of the SQLite database")
	cmd.Flags().StringVar(&local.databaseURL, "database-url", os.Getenv("CAPSULE_DATABASE_URL"), "offline: postgres:// URL")
	return cmd
}

// resetLocal resets a password directly in the database: the new hash,
// every session revoked, and an audit entry by the system actor.
func resetLocal(ctx context.Context, o *auditVerifyOptions, email, pw string) (httpapi.AdministeredUser, error) {
	st, err := o.open(ctx)
	if err != nil {
		return httpapi.AdministeredUser{}, err
	}
	defer st.Close()
	u, err := st.FindUserByEmail(ctx, email)
	if err != nil {
		return httpapi.AdministeredUser{}, fmt.Errorf("no user %q in that database: %w", email, err)
	}
	pw, generated, err := httpapi.ChosenPassword(pw)
	if err != nil {
		return httpapi.AdministeredUser{}, err
	}
	if u.PasswordHash, err = password.Hash(pw); err != nil {
		return httpapi.AdministeredUser{}, err
	}
	// The new hash commits with its audit entry, in one transaction, as an
	// online reset does; revoking the sessions follows.
	host, _ := os.Hostname()
	ids := identitystore.New(st)
	uctx, unit := ids.WithAuditUnit(ctx, audit.Entry{Time: time.Now(), ActorType: audit.ActorSystem,
		ActorID: "capsule users reset-password (offline)", Action: "users.reset-password", TargetType: "user",
		TargetID: u.ID, Outcome: audit.OutcomeSuccess, After: map[string]string{"host": host}})
	if err := st.UpdateUser(uctx, u); err != nil {
		return httpapi.AdministeredUser{}, err
	}
	if _, ok := unit.Committed(); !ok {
		return httpapi.AdministeredUser{}, fmt.Errorf("the password change committed without its audit entry")
	}
	if err := st.RevokeUserSessions(ids.WithoutAuditUnit(ctx), u.ID); err != nil {
		return httpapi.AdministeredUser{}, fmt.Errorf("the password was reset (and audited) but revoking the user's sessions failed: %w", err)
	}
	out := httpapi.AdministeredUser{User: *u}
	if generated {
		out.GeneratedPassword = pw
	}
	return out, nil
}
