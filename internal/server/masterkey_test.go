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

// storeSecret puts one secret sealed under raw into the database of dir.
func storeSecret(t *testing.T, dir string, raw []byte) {
	t.Helper()
	ctx := context.Background()
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
	if err := st.CreateOrganization(ctx, o, u.ID); err != nil {
		t.Fatal(err)
	}
	kek, _ := secretbox.NewKEK(raw)
	ring := secretbox.NewKeyring(kek)
	sec := &identitystore.Secret{OrganizationID: o.ID, Name: "DB_PASSWORD", CreatedBy: u.ID}
	if err := identitystore.New(st).PutSecret(ctx, sec, func(id string, v int) (secretbox.Sealed, error) {
		return ring.Seal([]byte("hunter2"), identity.SecretAAD(id, v))
	}, time.Now()); err != nil {
		t.Fatal(err)
	}
	// A TOTP secret is sealed under the master key too.
	mfa, err := ring.Seal([]byte("JBSWY3DPEHPK3PXP"), identity.MFAAAD(u.ID))
	if err != nil {
		t.Fatal(err)
	}
	if err := identitystore.New(st).StartMFA(ctx, u.ID, mfa, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// TestWrongMasterKeyRefusesStart: data stored under key A, started with
// key B: the start fails and names A's key id.
func TestWrongMasterKeyRefusesStart(t *testing.T) {
	dir := t.TempDir()
	a, b := bytes.Repeat([]byte{0xa}, 32), bytes.Repeat([]byte{0xb}, 32)
	storeSecret(t, dir, a)
	kekA, _ := secretbox.NewKEK(a)
	env := map[string]string{"CAPSULE_MASTER_KEY": hex.EncodeToString(b), "CAPSULE_ADMIN_PASSWORD": testPassword}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := Run(ctx, Options{DataDir: dir, Listen: "127.0.0.1:0", Getenv: func(k string) string { return env[k] },
		Logger: slog.New(slog.DiscardHandler), Stderr: &bytes.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), kekA.ID+" (2 data keys)") || !strings.Contains(err.Error(), "cannot decrypt") {
		t.Fatalf("Run() = %v, want a refusal naming key id %s", err, kekA.ID)
	}
	// With the right key it starts.
	env["CAPSULE_MASTER_KEY"] = hex.EncodeToString(a)
	start(t, dir, env)
}

// TestRotationThroughEnvironmentUpdatesKeyFile: the key file holds A;
// rotating to B through the environment rewrites the file, so a later
// start without the variables uses B, under which everything (secrets and
// MFA secrets) now is.
func TestRotationThroughEnvironmentUpdatesKeyFile(t *testing.T) {
	dir := t.TempDir()
	a, _, err := secretbox.LoadMasterKey("", dir)
	if err != nil {
		t.Fatal(err)
	}
	storeSecret(t, dir, a)
	b := bytes.Repeat([]byte{0xb}, 32)
	logs := &lockedBuffer{}
	env := map[string]string{"CAPSULE_MASTER_KEY": hex.EncodeToString(b), "CAPSULE_MASTER_KEY_PREVIOUS": hex.EncodeToString(a),
		"CAPSULE_ADMIN_PASSWORD": testPassword}
	s := startWith(t, Options{DataDir: dir, Logger: slog.New(slog.NewTextHandler(logs, nil))}, env)
	if got, err := secretbox.ReadKeyFile(dir); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("key file after rotation: %x, %v", got, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs.String(), "rotation finished") {
		if time.Now().After(deadline) {
			t.Fatalf("rotation did not finish: %s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop(t)
	// No variables: the file's key (B) opens everything.
	start(t, dir, map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword})
}
