package gitdelivery

import (
	"path"
	"strings"
	"testing"

	"github.com/go-git/go-billy/v5/memfs"
)

func TestLayoutRemovesOnlyWhatItWrote(t *testing.T) {
	fs := memfs.New()
	for p, body := range map[string]string{"env/hand.yaml": "kind: A\n", "env/.capsule-managed": "# list\nold.yaml\n../../etc/passwd\nhand2.yaml\n", "env/old.yaml": "kind: Old\n"} {
		if err := writeFile(fs, p, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := applyLayout(fs, "env", map[string][]byte{"deployment-web.yaml": []byte("kind: Deployment\n")})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.removed, ",") != "env/old.yaml" {
		t.Fatalf("removed %v", res.removed)
	}
	if _, err := fs.Stat("env/hand.yaml"); err != nil {
		t.Fatal("a hand-written file was removed")
	}
	list, _ := readFile(fs, "env/.capsule-managed")
	if !strings.HasSuffix(string(list), "\ndeployment-web.yaml\n") || strings.Contains(string(list), "old.yaml") {
		t.Fatalf("managed list:\n%s", list)
	}
}

func TestLayoutRefusesToReplaceItsOwnKustomization(t *testing.T) {
	fs := memfs.New()
	if err := writeFile(fs, "env/kustomization.yaml", []byte("resources: []\n")); err != nil {
		t.Fatal(err)
	}
	_, err := applyLayout(fs, "env", map[string][]byte{"kustomization.yaml": []byte("x")})
	if err == nil || !strings.Contains(err.Error(), "kustomization.yaml would replace") {
		t.Fatalf("err = %v", err)
	}
	if err := writeFile(fs, "bad/kustomization.yaml", []byte("resources: {a: b}\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := applyLayout(fs, "bad", map[string][]byte{"a.yaml": []byte("x")}); err == nil || !strings.Contains(err.Error(), "bad/kustomization.yaml") {
		t.Fatalf("err = %v", err)
	}
}

// FuzzCheckName: a name checkName accepts stays inside the directory it
// is joined to and never reaches .git or the managed list.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"a.yaml", "sub/b.yml", "../x", "./a", "a//b", ".git/config", "x/.GIT/y", ".capsule-managed", "/abs", "a\\b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if checkName(name) != nil {
			return
		}
		joined := path.Join("base", name)
		if !strings.HasPrefix(joined, "base/") || joined == "base/"+ManagedList {
			t.Fatalf("checkName accepted %q (joined %q)", name, joined)
		}
		for _, seg := range strings.Split(name, "/") {
			if strings.EqualFold(seg, ".git") {
				t.Fatalf("checkName accepted %q", name)
			}
		}
	})
}
