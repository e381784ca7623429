package server

import (
	"bytes"
	"context"
	"encoding/hex"
	"github.com/usecapsule/capsule/internal/identity"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/secretbox"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// TestMasterKeyRotation: with $CAPSULE_MASTER_KEY_PREVIOUS set, secrets
// sealed under the old key stay readable while a background pass re-wraps
// them, after which the new key alone opens them.
func TestMasterKeyRotation(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlstore.Open(ctx, filepath.Join(dir, "capsule.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u := &capsule.User{Email: "k@example.com", Name: "K"}
	o := &capsule.Organization{Name: "keys", Slug: "keys"}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateOrganization(ctx, o, u.ID); err != nil {
		t.Fatal(err)
	}
	oldRaw, newRaw := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	oldKEK, _ := secretbox.NewKEK(oldRaw)
	newKEK, _ := secretbox.NewKEK(newRaw)
	ids := identitystore.New(st)
	oldRing := secretbox.NewKeyring(oldKEK)
	for _, name := range []string{"A", "B", "C"} {
		sec := &identitystore.Secret{OrganizationID: o.ID, Name: name, CreatedBy: u.ID}
		if err := ids.PutSecret(ctx, sec, func(id string, v int) (secretbox.Sealed, error) {
			return oldRing.Seal([]byte("value-"+name), identity.SecretAAD(id, v))
		}, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"CAPSULE_MASTER_KEY": hex.EncodeToString(newRaw), "CAPSULE_MASTER_KEY_PREVIOUS": hex.EncodeToString(oldRaw)}
	var logs bytes.Buffer
	opts := &Options{DataDir: dir, Getenv: func(k string) string { return env[k] }, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	ring, err := opts.masterKeyring(ctx, st)
	if err != nil || ring.CurrentID() != newKEK.ID {
		t.Fatalf("keyring: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var left int
		if err := st.DB().QueryRow(`SELECT COUNT(*) FROM secret_versions WHERE kek_id <> ?`, newKEK.ID).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 && strings.Contains(logs.String(), "rotation finished") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d versions still under the old key; log: %s", left, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	newOnly := secretbox.NewKeyring(newKEK)
	list, _ := ids.ListSecrets(ctx, o.ID, "", "")
	for _, s := range list {
		sealed, v, err := ids.SecretVersion(ctx, s.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := newOnly.Open(sealed, identity.SecretAAD(s.ID, v)); err != nil || string(got) != "value-"+s.Name {
			t.Fatalf("%s after rotation: %q, %v", s.Name, got, err)
		}
	}
}

// TestMasterKeyGenerated: without $CAPSULE_MASTER_KEY a key file is made,
// with a warning to back it up.
func TestMasterKeyGenerated(t *testing.T) {
	dir := t.TempDir()
	var logs bytes.Buffer
	opts := &Options{DataDir: dir, Getenv: func(string) string { return "" }, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if _, err := opts.masterKeyring(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "back it up") {
		t.Fatalf("no warning: %s", logs.String())
	}
}
