package billing

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

// drain reads every record of data in format and checks what any reader
// must hold whatever the input: no panic, bad rows named by a line, a
// cluster only on usage.
func drain(t *testing.T, data []byte, format string) {
	r, err := NewReader(bytes.NewReader(data), format)
	if err != nil {
		if err.Error() == "" {
			t.Fatal("empty error")
		}
		return
	}
	a := NewAnalyzer(r.Format(), Options{})
	for i := 0; i < 10000; i++ {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			if re.Line <= 0 || re.Message == "" {
				t.Fatalf("row error without a line or message: %+v", re)
			}
			a.Reject(*re)
			continue
		}
		if err != nil {
			return
		}
		if rec.Cluster != "" && rec.ChargeCategory != CategoryUsage {
			t.Fatalf("a %s row attributed to %s", rec.ChargeCategory, rec.Cluster)
		}
		a.Add(&rec)
	}
	rep := a.Report()
	if rep.Anomalies == nil || rep.Clusters == nil {
		t.Fatal("nil lists in the report")
	}
}

func seedFiles(f *testing.F, paths ...string) {
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzFOCUSReader(f *testing.F) {
	seedFiles(f, "testdata/focus-1.0.csv", "testdata/focus-1.2-reordered.csv")
	f.Add([]byte("\ufeffBilledCost,ChargePeriodStart,Tags\r\n1,2026-11-01,\"{\"\"a\"\":1}\"\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) { drain(t, data, "focus") })
}

func FuzzCURReader(f *testing.F) {
	seedFiles(f, "testdata/cur2.csv", "testdata/cur-legacy.csv")
	f.Add(anomalySet().curGzip()[:2000])
	f.Fuzz(func(t *testing.T, data []byte) { drain(t, data, "aws-cur") })
}

func FuzzGCPReader(f *testing.F) {
	seedFiles(f, "testdata/gcp.jsonl", "testdata/gcp.csv")
	f.Add([]byte(`{"cost":1e-3,"usage_start_time":"2026-11-01","credits":[{"amount":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) { drain(t, data, "gcp") })
}

func FuzzAzureReader(f *testing.F) {
	seedFiles(f, "testdata/azure-actual.csv", "testdata/azure-amortized.csv")
	f.Add([]byte("Date,Cost,Tags,ResourceId\n13/45/2026,1,\"\"\"a\"\": \"\"b\"\"\",/resourceGroups/MC_a_b_c\n"))
	f.Fuzz(func(t *testing.T, data []byte) { drain(t, data, "azure") })
}

// FuzzDetect lets the header pick the reader, Parquet included.
func FuzzDetect(f *testing.F) {
	seedFiles(f, "testdata/focus-1.0.csv", "testdata/cur2.csv", "testdata/gcp.jsonl", "testdata/azure-actual.csv")
	g := anomalySet()
	g.days = 2
	f.Add(g.focusParquet(f))
	f.Fuzz(func(t *testing.T, data []byte) { drain(t, data, "") })
}
