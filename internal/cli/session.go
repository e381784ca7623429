package cli

import (
	"context"
	"errors"
	"net/http"
	"os"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/cliconfig"
)

// withClient runs fn with a client of the named (or current) context. When
// the server answers 401 and the context holds a refresh token, the tokens
// are refreshed, saved, and fn runs once more — access tokens are short-lived.
func withClient(ctx context.Context, contextName string, fn func(*apiclient.Client) error) error {
	c, cur, err := clientFromConfig(contextName)
	if err != nil {
		return err
	}
	err = fn(c)
	var ae *apiclient.Error
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || cur.RefreshToken == "" || os.Getenv("CAPSULE_API_KEY") != "" {
		return err
	}
	tok, rerr := c.Refresh(ctx, cur.RefreshToken)
	if rerr != nil {
		return errors.New("session expired: run `capsule login` again")
	}
	if err := saveTokens(cur.Name, tok); err != nil {
		return err
	}
	c.Token = tok.AccessToken
	return fn(c)
}

func saveTokens(name string, tok *apiclient.TokenResponse) error {
	path, err := cliconfig.DefaultPath(os.Getenv)
	if err != nil {
		return err
	}
	cfg, err := cliconfig.Load(path)
	if err != nil {
		return err
	}
	cur := cfg.Find(name)
	if cur == nil {
		return nil
	}
	cur.AccessToken, cur.RefreshToken = tok.AccessToken, tok.RefreshToken
	return cliconfig.Save(path, cfg)
}
