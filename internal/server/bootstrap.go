package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identity/password"
	"github.com/usecapsule/capsule/internal/identity/token"
)

// bootstrap creates the owner account and the default organization on first
// start (no users yet), so the API is never open. A password given in
// $CAPSULE_ADMIN_PASSWORD must meet the password policy; otherwise one is
// generated and printed once to stderr, never to the logs.
func bootstrap(ctx context.Context, st capsule.Store, email, pw string, stderr io.Writer) error {
	n, err := st.CountUsers(ctx)
	if err != nil {
		return fmt.Errorf("counting users: %w", err)
	}
	if n > 0 {
		return nil
	}
	generated := pw == ""
	if generated {
		b := make([]byte, 18)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		pw = base64.RawURLEncoding.EncodeToString(b)
	} else if err := password.CheckPolicy(pw); err != nil {
		return fmt.Errorf("$CAPSULE_ADMIN_PASSWORD: %w", err)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	u := &capsule.User{Email: email, Name: "Administrator", PasswordHash: hash}
	if err := u.Validate(); err != nil {
		return fmt.Errorf("admin user: %w", err)
	}
	if err := st.CreateUser(ctx, u); err != nil {
		return fmt.Errorf("creating the admin user: %w", err)
	}
	org := &capsule.Organization{Name: "Default", Slug: "default"}
	if err := org.Validate(); err != nil {
		return err
	}
	if err := st.CreateOrganization(ctx, org, u.ID); err != nil {
		return fmt.Errorf("creating the default organization: %w", err)
	}
	if generated {
		fmt.Fprintf(stderr, "\ncapsule: created owner %s of organization \"default\".\ncapsule: generated password (shown only once): %s\ncapsule: sign in with: capsule login --server URL --email %s\n\n", email, pw, email)
	}
	return nil
}

// signingKey returns $CAPSULE_JWT_KEY when set, else the key in
// <dataDir>/jwt.key, generating it (mode 0600) on first start.
func signingKey(dataDir, env string) ([]byte, error) {
	if env != "" {
		if len(env) < token.MinKeyLen {
			return nil, fmt.Errorf("$CAPSULE_JWT_KEY is %d bytes; at least %d are required", len(env), token.MinKeyLen)
		}
		return []byte(env), nil
	}
	path := filepath.Join(dataDir, "jwt.key")
	b, err := os.ReadFile(path)
	if err == nil {
		key, derr := base64.StdEncoding.DecodeString(string(trimSpace(b)))
		if derr != nil || len(key) < token.MinKeyLen {
			return nil, fmt.Errorf("%s: not a base64 key of at least %d bytes", path, token.MinKeyLen)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading the JWT key: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating the JWT key: %w", err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing the JWT key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return b
}
