package httpapi

import (
	"crypto/rand"
	"net/http"
	"strings"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/billingstore"
	"github.com/usecapsule/capsule/internal/identity"
)

// BillingSourceRequest is where a billing account's exports are fetched
// from on a schedule: an S3-compatible bucket and prefix, with the secret
// access key (stored sealed, never returned).
type BillingSourceRequest struct {
	S3 *BillingS3Request `json:"s3,omitempty"`
}

// BillingS3Request is an S3 source with its secret access key.
type BillingS3Request struct {
	billingstore.S3Source
	SecretAccessKey string `json:"secret_access_key"`
}

// billingSecretPrefix starts the secret-store name of an S3 source's
// secret access key; the secrets API refuses secrets so named.
const billingSecretPrefix = "capsule.billing."

func sealedBillingSecret(name string) error {
	if !strings.HasPrefix(name, billingSecretPrefix) {
		return nil
	}
	return capsule.Errorf(capsule.KindForbidden, capsule.CodeBillingSourceSecretSealed,
		"%q is a billing account's S3 secret access key: it is never read, rotated, created or deleted through the secrets API", name)
}

// sealBillingSource checks src and stores its secret access key as a
// sealed secret of the account's organization, naming it on acct.
func (a *API) sealBillingSource(r *http.Request, acct *billingstore.Account, src *BillingSourceRequest) error {
	if src == nil {
		return nil
	}
	acct.Source = &billingstore.ExportSource{}
	if src.S3 != nil {
		s3 := src.S3.S3Source
		acct.Source.S3 = &s3
	}
	if err := acct.Source.Validate(); err != nil {
		return err
	}
	key := src.S3.SecretAccessKey
	if key == "" || len(key) > 256 {
		return invalid(capsule.CodeValidation, "source.s3.secret_access_key", "required, at most 256 characters")
	}
	ring := a.access.keyring
	if ring == nil {
		return capsule.Errorf(capsule.KindNotImplemented, capsule.CodeNotImplemented, "this server has no master key to seal an S3 secret with")
	}
	_, actor := principalFrom(r.Context()).actor()
	sec := &identity.Secret{OrganizationID: acct.OrganizationID, Name: billingSecretPrefix + "s3." + rand.Text()[:16], CreatedBy: actor}
	if err := a.access.ids.PutSecret(r.Context(), sec, sealWith(ring, key), a.access.now()); err != nil {
		return err
	}
	acct.SourceSecretID = sec.ID
	return nil
}
