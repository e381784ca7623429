package gitevents

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/secretbox"
)

// SecretName is the secret-store name of a project's webhook secret (in
// the project's scope). The secrets API refuses to read, rotate, create
// or delete secrets whose names start with SecretPrefix: the secret is
// shown once, by the route that makes it.
const (
	SecretPrefix = "capsule.webhook."
	SecretName   = SecretPrefix + "git"
)

// NewSecret makes a new webhook secret for p, stored sealed as the next
// version of its secret (so a second call rotates it), and returns it.
func (s *Service) NewSecret(ctx context.Context, p *capsule.Project, actor string) (string, error) {
	if s.cfg.Keyring == nil || s.cfg.Secrets == nil {
		return "", capsule.NotImplemented("webhook secrets on a server without a secret store")
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret := "whsec_" + hex.EncodeToString(b)
	sec := &identity.Secret{OrganizationID: p.OrganizationID, ProjectID: p.ID, Name: SecretName, CreatedBy: actor}
	seal := func(id string, version int) (secretbox.Sealed, error) {
		return s.cfg.Keyring.Seal([]byte(secret), identity.SecretAAD(id, version))
	}
	if err := s.cfg.Secrets.PutSecret(ctx, sec, seal, s.cfg.Now()); err != nil {
		return "", err
	}
	return secret, nil
}

// secretOf opens p's current webhook secret; not found when it has none.
func (s *Service) secretOf(ctx context.Context, p *capsule.Project) ([]byte, error) {
	if s.cfg.Keyring == nil || s.cfg.Secrets == nil {
		return nil, capsule.NotFound("secret", SecretName)
	}
	secs, err := s.cfg.Secrets.ListSecrets(ctx, p.OrganizationID, p.ID, "")
	if err != nil {
		return nil, err
	}
	for _, sec := range secs {
		if sec.Name != SecretName || sec.EnvironmentID != "" {
			continue
		}
		sealed, v, err := s.cfg.Secrets.SecretVersion(ctx, sec.ID, 0)
		if err != nil {
			return nil, err
		}
		plain, err := s.cfg.Keyring.Open(sealed, identity.SecretAAD(sec.ID, v))
		if err != nil {
			return nil, fmt.Errorf("opening the webhook secret of project %s: %w", p.ID, err)
		}
		return plain, nil
	}
	return nil, capsule.NotFound("secret", SecretName)
}

// ProviderFor returns the webhook provider of a project: its
// repository.provider, else the one its repository's host is known for.
func ProviderFor(p *capsule.Project) (Provider, error) {
	if p.Repository.URL == "" {
		return nil, capsule.Errorf(capsule.KindConflict, capsule.CodeProjectNoRepository,
			"project %s has no repository URL: set repository.url (and repository.provider) first", p.Slug)
	}
	name := p.Repository.Provider
	if name == "" || name == "git" {
		key, _ := RepositoryKey(p.Repository.URL)
		host, _, _ := strings.Cut(key, "/")
		switch {
		case host == "github.com":
			name = "github"
		case host == "gitlab.com" || strings.HasPrefix(host, "gitlab."):
			name = "gitlab"
		case host == "bitbucket.org":
			name = "bitbucket"
		case strings.HasPrefix(host, "gitea.") || host == "codeberg.org":
			name = "gitea"
		}
	}
	if pr := ProviderOf(name); pr != nil {
		return pr, nil
	}
	var v capsule.Validation
	v.Add("repository.provider", "%q sends no webhooks Capsule reads: set it to one of %s", p.Repository.Provider, strings.Join(Providers, ", "))
	return nil, v.Err()
}
