package cliconfig

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSaveLoadRoundTripAndMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "config.yaml")
	c := &Config{CurrentContext: "b"}
	c.Upsert(Context{Name: "b", Server: "http://127.0.0.1:1", AccessToken: "t1"})
	c.Upsert(Context{Name: "a", Server: "http://127.0.0.1:2"})
	c.Upsert(Context{Name: "b", Server: "http://127.0.0.1:3", AccessToken: "t2"})
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", st.Mode().Perm())
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := got.Current()
	if err != nil {
		t.Fatal(err)
	}
	if cur.Server != "http://127.0.0.1:3" || cur.AccessToken != "t2" || len(got.Contexts) != 2 {
		t.Fatalf("round trip lost data: %+v", got)
	}
}

func TestLoadMissingIsEmptyAndCurrentExplains(t *testing.T) {
	c, err := Load(filepath.Join(t.TempDir(), "none.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Current(); err == nil {
		t.Fatal("expected an error telling the user to log in")
	}
}

func TestLoadRejectsUnknownFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(path, []byte("contexts: []\nbogus: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil {
		t.Fatal("expected an error for an unknown field")
	}
}

func TestDefaultPath(t *testing.T) {
	env := map[string]string{"HOME": "/home/u"}
	p, err := DefaultPath(func(k string) string { return env[k] })
	if err != nil || p != "/home/u/.config/capsule/config.yaml" {
		t.Fatalf("got %q %v", p, err)
	}
	env["CAPSULE_CONFIG"] = "/x.yaml"
	if p, _ := DefaultPath(func(k string) string { return env[k] }); p != "/x.yaml" {
		t.Fatalf("got %q", p)
	}
}
