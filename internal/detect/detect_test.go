package detect

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/usecapsule/capsule/internal/golden"
)

// expectation is the expected output of one fixture: the result, or the error.
type expectation struct {
	Services []Service      `json:"services,omitempty"`
	Errors   []ServiceError `json:"errors,omitempty"`
	Warnings []string       `json:"warnings,omitempty"`
	Error    string         `json:"error,omitempty"`
}

// TestRepos runs detection on every fixture under testdata/repos and
// compares it with the fixture's expected.json.
func TestRepos(t *testing.T) {
	dirs, err := os.ReadDir("testdata/repos")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 120 {
		t.Errorf("want at least 120 fixtures, have %d", len(dirs))
	}
	for _, d := range dirs {
		t.Run(d.Name(), func(t *testing.T) {
			dir := filepath.Join("testdata/repos", d.Name())
			got := runFixture(dir, d.Name())
			want := filepath.Join(dir, "expected.json")
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false) // keep ">=18" readable in the goldens
			enc.SetIndent("", "  ")
			if err := enc.Encode(got); err != nil {
				t.Fatal(err)
			}
			b := buf.Bytes()
			if golden.Update() {
				if err := os.WriteFile(want, b, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("missing golden (run with -update): %v", err)
			}
			if string(exp) != string(b) {
				t.Errorf("detection of %s differs from expected.json:\n--- got\n%s--- want\n%s", d.Name(), b, exp)
			}
		})
	}
}

// runFixture detects a fixture; expected.json itself is not part of it.
func runFixture(dir, name string) expectation {
	res, err := DetectFS(withoutGolden{os.DirFS(dir)}, name, name, Options{})
	if err != nil {
		return expectation{Error: err.Error()}
	}
	return expectation{Services: res.Services, Errors: res.Errors, Warnings: res.Warnings}
}
