package servicespec

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/golden"
)

// TestValid resolves every environment of every valid file and compares
// the resolved specs with golden JSON.
func TestValid(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			f, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]*Spec{}
			for _, env := range append([]string{""}, f.Environments()...) {
				s, err := f.Resolve(env)
				if err != nil {
					t.Fatal(err)
				}
				out["env:"+env] = s
			}
			b, _ := json.MarshalIndent(out, "", "  ")
			golden.Check(t, strings.TrimSuffix(path, ".yaml")+".golden.json", append(b, '\n'))
		})
	}
}

// TestInvalid checks that every invalid file fails with errors naming the
// file, line and field, as recorded in the golden .err files.
func TestInvalid(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			_, err := Load(path)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("want *Error, got %v", err)
			}
			for _, p := range e.Problems {
				if p.Message == "" {
					t.Errorf("problem without message: %+v", p)
				}
			}
			golden.Check(t, strings.TrimSuffix(path, ".yaml")+".err", []byte(err.Error()+"\n"))
		})
	}
}

func TestUnknownEnvironmentIsBase(t *testing.T) {
	f, err := Load("testdata/valid/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if f.HasEnvironment("pr-42") {
		t.Fatal("pr-42 is not in the file")
	}
	base, _ := f.Resolve("")
	pr, err := f.Resolve("pr-42")
	if err != nil || pr.Ingress.Host != base.Ingress.Host {
		t.Fatalf("pr-42 = %+v, %v", pr, err)
	}
	prod, _ := f.Resolve("production")
	if prod.Env["NODE_ENV"] != "production" || prod.Resources.Preset != "large" || prod.Deploy.Strategy != StrategyBlueGreen {
		t.Errorf("production = %+v", prod)
	}
	stg, _ := f.Resolve("staging")
	if stg.Env["WORKERS"] != "4" || stg.Env["NODE_ENV"] != "staging" || stg.Scaling.Autoscaled() {
		t.Errorf("staging env merge = %+v", stg)
	}
}

func TestTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "capsule.yaml")
	if err := os.WriteFile(path, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("got %v", err)
	}
}

func TestAliasBomb(t *testing.T) {
	doc := "name: a\ntype: web\nx0: &a0 [1,1,1,1,1,1,1,1,1,1]\n"
	for i := 1; i < 9; i++ {
		doc += strings.Replace("xN: &aN [*aP,*aP,*aP,*aP,*aP,*aP,*aP,*aP,*aP,*aP]\n", "N", string(rune('0'+i)), 2)
		doc = strings.Replace(doc, "aP", "a"+string(rune('0'+i-1)), 10)
	}
	_, err := Parse("bomb.yaml", []byte(doc))
	if err == nil {
		t.Fatal("an alias bomb was accepted")
	}
}

// FuzzParse checks that no input panics and that whatever parses resolves
// in every environment.
func FuzzParse(f *testing.F) {
	for _, dir := range []string{"testdata/valid", "testdata/invalid"} {
		files, _ := filepath.Glob(dir + "/*.yaml")
		for _, p := range files {
			b, _ := os.ReadFile(p)
			f.Add(b)
		}
	}
	f.Add([]byte("name: a\ntype: web\nenvironments: {x: *y}\n"))
	f.Add([]byte("name: &n a\ntype: web\nenv: {A: *n}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yaml", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		for _, env := range file.Environments() {
			if _, err := file.Resolve(env); err != nil {
				t.Fatalf("parsed file fails to resolve %s: %v", env, err)
			}
		}
	})
}
