package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/cliconfig"
)

type loginOptions struct {
	server        string
	email         string
	passwordStdin bool
	context       string
}

func newLoginCmd(s Streams) *cobra.Command {
	o := &loginOptions{}
	cmd := &cobra.Command{
		Use:   "login --server URL",
		Short: "Log in to a Capsule server and save the context",
		Long: `Log in to a Capsule server with an email and password and save the tokens as a
context in ~/.config/capsule/config.yaml (mode 0600; $CAPSULE_CONFIG overrides the path).

The password is read from --password-stdin, else $CAPSULE_PASSWORD, else prompted for
without echo when standard input is a terminal.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd.Context(), s)
		},
	}
	cmd.Flags().StringVar(&o.server, "server", "", "server URL, e.g. http://127.0.0.1:8080 (required)")
	cmd.Flags().StringVar(&o.email, "email", "admin@localhost", "account email")
	cmd.Flags().BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from standard input")
	cmd.Flags().StringVar(&o.context, "context", "", "name of the context to save (default: the server's host)")
	return cmd
}

func (o *loginOptions) run(ctx context.Context, s Streams) error {
	if o.server == "" {
		return usageError("--server is required")
	}
	client, err := apiclient.New(o.server, "")
	if err != nil {
		return usageError("%v", err)
	}
	password, err := o.readPassword(s)
	if err != nil {
		return err
	}
	tok, err := client.Login(ctx, o.email, password)
	if err != nil {
		return err
	}
	path, err := cliconfig.DefaultPath(os.Getenv)
	if err != nil {
		return err
	}
	cfg, err := cliconfig.Load(path)
	if err != nil {
		return err
	}
	name := o.context
	if name == "" {
		u, _ := url.Parse(client.BaseURL)
		name = u.Host
	}
	cfg.Upsert(cliconfig.Context{Name: name, Server: client.BaseURL, Email: o.email,
		AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken})
	cfg.CurrentContext = name
	if err := cliconfig.Save(path, cfg); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	_, err = fmt.Fprintf(s.Out, "Logged in to %s as %s (context %q)\n", client.BaseURL, o.email, name)
	return err
}

func (o *loginOptions) readPassword(s Streams) (string, error) {
	if o.passwordStdin {
		line, err := bufio.NewReader(s.In).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		if p := strings.TrimRight(line, "\r\n"); p != "" {
			return p, nil
		}
		return "", usageError("--password-stdin: standard input is empty")
	}
	if p := os.Getenv("CAPSULE_PASSWORD"); p != "" {
		return p, nil
	}
	if f, ok := s.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(s.Err, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(s.Err)
		return string(b), err
	}
	return "", usageError("no password: use --password-stdin or $CAPSULE_PASSWORD")
}

// clientFromConfig returns an API client for the named context (the current
// one when name is empty).
func clientFromConfig(name string) (*apiclient.Client, *cliconfig.Context, error) {
	path, err := cliconfig.DefaultPath(os.Getenv)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := cliconfig.Load(path)
	if err != nil {
		return nil, nil, err
	}
	var cur *cliconfig.Context
	if name != "" {
		if cur = cfg.Find(name); cur == nil {
			return nil, nil, fmt.Errorf("context %q is not in %s", name, path)
		}
	} else if cur, err = cfg.Current(); err != nil {
		return nil, nil, err
	}
	token := cur.AccessToken
	if k := os.Getenv("CAPSULE_API_KEY"); k != "" {
		token = k
	}
	c, err := apiclient.New(cur.Server, token)
	return c, cur, err
}
