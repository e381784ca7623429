package export_test

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/usecapsule/capsule/internal/export"
)

// TestSealedSecretsDecryptWithTheIdentity: every service with secrets gets
// one age file per environment that the recipient's identity decrypts to
// KEY=value lines; a key without a value is an empty line and reported; no
// value is readable without the identity.
func TestSealedSecretsDecryptWithTheIdentity(t *testing.T) {
	in := fixture(t)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(env, svc, key string) (string, bool) {
		if key == "STRIPE_KEY" && env == "production" {
			return "", false
		}
		return "v-" + env + "-" + svc + "-" + key, true
	}
	files, missing, err := export.SealedSecrets(in, id.Recipient().String(), lookup)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(missing, []string{"production/api/STRIPE_KEY"}) {
		t.Errorf("missing = %v", missing)
	}
	if len(files) != 2*len(in.Environments) {
		t.Fatalf("%d files: %v", len(files), export.Paths(files))
	}
	r, err := age.Decrypt(bytes.NewReader(files["secrets/production/api.env.age"]), id)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := "DATABASE_PASSWORD=v-production-api-DATABASE_PASSWORD\nSTRIPE_KEY=\n"; string(plain) != want {
		t.Errorf("decrypted %q, want %q", plain, want)
	}
	for name, b := range files {
		if strings.Contains(string(b), "v-") {
			t.Errorf("%s holds a value in clear", name)
		}
	}
	if _, _, err := export.SealedSecrets(in, "age1notakey", lookup); err == nil || !strings.Contains(err.Error(), "--age-recipient") {
		t.Errorf("bad recipient: %v", err)
	}
}
