package billing

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/usecapsule/capsule/internal/golden"
)

// readAll reads a file's records and bad rows.
func readAll(t testing.TB, r *Reader) ([]Record, []RowError) {
	t.Helper()
	var recs []Record
	var bad []RowError
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return recs, bad
		}
		var re *RowError
		if errors.As(err, &re) {
			bad = append(bad, *re)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
}

func analyzeBytes(t testing.TB, data []byte, format string) *Report {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), format)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Analyze(r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestGolden reads each fixture (written from the providers' documented
// column sets) and compares its FOCUS records and its report with
// testdata/<fixture>.golden.json, which holds the expected mapping.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.csv")
	more, _ := filepath.Glob("testdata/*.jsonl")
	files = append(files, more...)
	if len(files) < 8 {
		t.Fatalf("fixtures missing: %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewReader(bytes.NewReader(data), "")
			if err != nil {
				t.Fatal(err)
			}
			recs, bad := readAll(t, r)
			if len(bad) > 0 {
				t.Fatalf("bad rows in a fixture: %v", bad)
			}
			out := struct {
				Format  string   `json:"format"`
				Records []Record `json:"records"`
				Report  *Report  `json:"report"`
			}{r.Format(), recs, analyzeBytes(t, data, "")}
			b, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, f+".golden.json", append(b, '\n'))
		})
	}
}
