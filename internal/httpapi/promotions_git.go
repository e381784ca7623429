package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identity"
)

// envGitSecretPrefix starts the secret-store name of an environment's Git
// credential; like a cluster's credential, the secrets API refuses it: it
// is written through the environment's route and read only by delivery.
const envGitSecretPrefix = "capsule.environment."

func envGitSecretName(envID string) string { return envGitSecretPrefix + envID + ".git-credential" }

// GitCredentialRequest is the body of PUT /api/v1/environments/{id}/git-credential.
type GitCredentialRequest struct {
	// Token is the provider credential (a personal access or deploy token).
	Token string `json:"token"`
}

// putEnvGitCredential seals the token as the environment's Git credential:
// a new version of its one secret, never shown again.
func (a *API) putEnvGitCredential(w http.ResponseWriter, r *http.Request) error {
	var q GitCredentialRequest
	if err := decodeJSON(r, &q); err != nil {
		return err
	}
	var v capsule.Validation
	switch q.Token = strings.TrimSpace(q.Token); {
	case q.Token == "":
		v.Add("token", "is required")
	case len(q.Token) > 4096:
		v.Add("token", "is %d characters long; at most 4096", len(q.Token))
	}
	if err := v.Err(); err != nil {
		return err
	}
	ctx := r.Context()
	env, err := a.cfg.Store.FindEnvironment(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	proj, err := findProject(ctx, a.cfg.Store, env.ProjectID)
	if err != nil {
		return err
	}
	ring, err := a.access.keyringOr501()
	if err != nil {
		return err
	}
	_, actor := principalFrom(ctx).actor()
	sec := &identity.Secret{OrganizationID: proj.OrganizationID, ProjectID: proj.ID, EnvironmentID: env.ID,
		Name: envGitSecretName(env.ID), CreatedBy: actor}
	if err := a.access.ids.PutSecret(ctx, sec, sealWith(ring, q.Token), a.access.now()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// GitToken reads an environment's Git credential ("" when none was
// stored): the server's Git desired-state reader needs it as delivery does.
func (a *API) GitToken(ctx context.Context, env *capsule.Environment) (string, error) {
	return a.gitToken(ctx, env)
}

// gitToken reads an environment's Git credential for delivery; "" when
// none was stored.
func (a *API) gitToken(ctx context.Context, env *capsule.Environment) (string, error) {
	ring, err := a.access.keyringOr501()
	if err != nil {
		return "", err
	}
	proj, err := a.cfg.Store.FindProject(ctx, env.ProjectID)
	if err != nil {
		return "", err
	}
	secs, err := a.access.ids.ListSecrets(ctx, proj.OrganizationID, proj.ID, env.ID)
	if err != nil {
		return "", err
	}
	for _, s := range secs {
		if s.Name != envGitSecretName(env.ID) {
			continue
		}
		sealed, v, err := a.access.ids.SecretVersion(ctx, s.ID, 0)
		if err != nil {
			return "", err
		}
		plain, err := ring.Open(sealed, identity.SecretAAD(s.ID, v))
		if err != nil {
			return "", capsule.Internal(err)
		}
		return string(plain), nil
	}
	return "", nil
}
