package kube

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/secretbox"
	"k8s.io/client-go/rest"
)

// SecretReader is what StoredRESTConfig needs of the secret store
// (identitystore.Store has it).
type SecretReader interface {
	SecretVersion(ctx context.Context, id string, version int) (secretbox.Sealed, int, error)
}

// StoredRESTConfig reads the current version of the credential a cluster
// holds (its CredentialSecretID), opens it with the master keyring and
// returns its cluster's client configuration under the address policy
// (allow: the installation's --egress-allow). This is how the deploy
// engine and the agent reach a registered cluster.
func StoredRESTConfig(ctx context.Context, secrets SecretReader, ring *secretbox.Keyring, secretID string, allow ...netip.Prefix) (*rest.Config, error) {
	if secretID == "" {
		return nil, fmt.Errorf("kube: the cluster holds no credential")
	}
	sealed, v, err := secrets.SecretVersion(ctx, secretID, 0)
	if err != nil {
		return nil, err
	}
	plain, err := ring.Open(sealed, identity.SecretAAD(secretID, v))
	if err != nil {
		return nil, fmt.Errorf("kube: opening the credential of secret %s: %w", secretID, err)
	}
	cred, err := ParseCredential(plain)
	if err != nil {
		return nil, err
	}
	return RESTConfig(cred, allow...)
}
