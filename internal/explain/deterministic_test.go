package explain

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/golden"
)

// Each testdata/deterministic/NAME.json holds Facts; NAME.golden the text.
func TestDeterministicGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/deterministic/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			f := readFacts(t, file)
			got := Deterministic(f) + "\n"
			golden.Check(t, strings.TrimSuffix(file, ".json")+".golden", []byte(got))
			if again := Deterministic(f) + "\n"; again != got {
				t.Error("output is not stable between calls")
			}
		})
	}
}

// testFacts is Facts with the engine-only fields exposed for JSON.
type testFacts struct {
	Facts
	BaselineCents  int64
	ProjectedCents int64
	Drivers        []Driver
	Namespaces     []string
	Risks          []Risk
}

func readFacts(t *testing.T, file string) Facts {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var tf testFacts
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tf); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	f := tf.Facts
	f.BaselineCents, f.ProjectedCents, f.Drivers, f.Namespaces, f.Risks = tf.BaselineCents, tf.ProjectedCents, tf.Drivers, tf.Namespaces, tf.Risks
	return f
}

func TestMoney(t *testing.T) {
	for cents, want := range map[int64]string{0: "$0.00", 5: "$0.05", 123456: "$1,234.56", -100000000: "-$1,000,000.00"} {
		if got := Money(cents, "USD"); got != want {
			t.Errorf("Money(%d) = %q, want %q", cents, got, want)
		}
	}
	if got := Money(1999, "EUR"); got != "19.99 EUR" {
		t.Errorf("EUR: %q", got)
	}
}

func TestMaskRestore(t *testing.T) {
	f := Facts{Modified: []string{"Deployment/api", "Deployment/api-gateway"}, Namespaces: []string{"prod"}}
	m := newMasker(f)
	in := `Deployment/api-gateway and Deployment/api in prod; container "api" image registry/api:1`
	masked := m.mask(in)
	for _, leak := range []string{"api", "prod"} {
		if strings.Contains(masked, leak) {
			t.Fatalf("masked text leaks %q: %s", leak, masked)
		}
	}
	if back := m.restore(masked); back != in {
		t.Errorf("restore:\n got %s\nwant %s", back, in)
	}
}

func TestCheck(t *testing.T) {
	f := Facts{Modified: []string{"Deployment/api"}, BaselineCents: 125040, ProjectedCents: 142260}
	m := newMasker(f)
	facts := maskedFacts(f, m)
	kinds := kindsOf(f)
	for answer, wantOK := range map[string]bool{
		"Deployment/R1 raises the monthly cost by $172.20 to $1,422.60.": true,
		"Costs rise by 13.8% for Deployment/R1.":                         true,
		"Costs rise by 14% for Deployment/R1.":                           false, // rounded differently from the facts
		"Deployment/R2 changes.":                                         false, // placeholder not given
		"Deployment/api changes.":                                        false, // real name the model cannot know
		"Two resources change, about 3 GiB/month more.":                  true,
		"": false,
	} {
		why := check(answer, facts, m, kinds)
		if (why == "") != wantOK {
			t.Errorf("check(%q) = %q, want ok=%v", answer, why, wantOK)
		}
	}
}
