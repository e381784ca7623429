package billing

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// TestBadRowsReportedGoodRowsKept: each bad row is named by line and
// column, and every good row around it still counts, also after a quoted
// field spanning two lines.
func TestBadRowsReportedGoodRowsKept(t *testing.T) {
	data := "BilledCost,ChargePeriodStart,ChargeDescription,Tags\n" +
		"1.00,2026-11-01T00:00:00Z,ok,\n" + // line 2
		"abc,2026-11-01T00:00:00Z,bad cost,\n" + // line 3
		"2.00,2026-11-01T00:00:00Z,\"two\nlines\",\n" + // lines 4-5
		"3.00,yesterday,bad date,\n" + // line 6
		"4.00,2026-11-01T00:00:00Z\n" + // line 7: short
		"5.00,2026-11-01T00:00:00Z,a \"bare\" quote,\n" + // line 8
		"6.00,2026-11-02T00:00:00Z,ok,\n" // line 9
	rep := analyzeBytes(t, []byte(data), "")
	if rep.Rows != 3 || rep.BilledCostTotal.String() != "9.00" {
		t.Fatalf("rows %d total %s", rep.Rows, rep.BilledCostTotal)
	}
	var got []string
	for _, e := range rep.Errors {
		got = append(got, e.Error())
	}
	want := []string{
		`line 3, column BilledCost: "abc" is not a decimal`,
		`line 6, column ChargePeriodStart: "yesterday" is not a date or timestamp`,
		`line 7: row has 2 fields, the header has 4`,
		`line 8: bare " in non-quoted-field`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || rep.ErrorsTotal != 4 || rep.RowsRejected != 4 {
		t.Fatalf("errors:\n%s", strings.Join(got, "\n"))
	}
}

// TestErrorsCapped: the list stops at the cap, the count does not.
func TestErrorsCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("BilledCost,ChargePeriodStart\n")
	for i := 0; i < 150; i++ {
		b.WriteString("x,2026-11-01\n1,2026-11-01\n")
	}
	rep := analyzeBytes(t, []byte(b.String()), "")
	if len(rep.Errors) != DefaultMaxErrors || rep.ErrorsTotal != 150 || rep.Rows != 150 {
		t.Fatalf("%d listed, %d total, %d rows", len(rep.Errors), rep.ErrorsTotal, rep.Rows)
	}
}

// TestBOMAndCRLF: a byte-order mark and Windows line ends change nothing.
func TestBOMAndCRLF(t *testing.T) {
	for _, f := range []string{"testdata/focus-1.0.csv", "testdata/azure-actual.csv", "testdata/cur2.csv"} {
		plain, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		crlf := append([]byte("\ufeff"), bytes.ReplaceAll(plain, []byte("\n"), []byte("\r\n"))...)
		a, b := analyzeBytes(t, plain, ""), analyzeBytes(t, crlf, "")
		if fmt.Sprint(a) != fmt.Sprint(b) || b.Rows == 0 {
			t.Fatalf("%s: BOM+CRLF differs:\n%v\n%v", f, a, b)
		}
	}
}

// TestUnknownFormatNamesColumns: an unrecognised header is an error that
// lists what it saw; a forced format names the columns it lacks.
func TestUnknownFormatNamesColumns(t *testing.T) {
	_, err := NewReader(strings.NewReader("date,amount,what\n2026-11-01,1,x\n"), "")
	if err == nil || !strings.Contains(err.Error(), `columns seen: "date", "amount", "what"`) {
		t.Fatalf("%v", err)
	}
	_, err = NewReader(strings.NewReader("BilledCost,ChargePeriodStart\n1,2026-11-01\n"), "azure")
	if err == nil || !strings.Contains(err.Error(), "Azure cost export file lacks required columns: CostInBillingCurrency or") {
		t.Fatalf("%v", err)
	}
	if _, err := NewReader(strings.NewReader("a\n"), "oracle"); err == nil || !strings.Contains(err.Error(), `unknown billing format "oracle"`) {
		t.Fatalf("%v", err)
	}
	if _, err := NewReader(strings.NewReader(""), ""); err == nil || !strings.Contains(err.Error(), "empty billing file") {
		t.Fatalf("%v", err)
	}
}

type focusParquetRow struct {
	BilledCost        float64           `parquet:"BilledCost"`
	EffectiveCost     int64             `parquet:"EffectiveCost,decimal(6:18)"`
	ChargePeriodStart time.Time         `parquet:"ChargePeriodStart,timestamp(millisecond)"`
	ChargeCategory    string            `parquet:"ChargeCategory"`
	BillingCurrency   string            `parquet:"BillingCurrency,optional"`
	Tags              map[string]string `parquet:"Tags"`
	XProvider         string            `parquet:"x_Provider"`
}

// focusParquet writes the generated set as a FOCUS Parquet file: a
// double BilledCost, a decimal EffectiveCost, a timestamp and a Tags map.
func (g *genSet) focusParquet(t testing.TB) []byte {
	var rows []focusParquetRow
	g.each(func(day time.Time, cluster string, part int, c int64) {
		r := focusParquetRow{BilledCost: float64(c+1) / 100, EffectiveCost: c * 10000, ChargePeriodStart: day.Add(time.Duration(part) * time.Hour),
			ChargeCategory: "Usage", BillingCurrency: "USD", Tags: map[string]string{"aws:eks:cluster-name": cluster}, XProvider: "x"}
		if cluster == "" {
			r.ChargeCategory, r.Tags, r.BilledCost = "Tax", nil, float64(c)/100
			g.billed += c
		} else {
			g.billed += c + 1
		}
		g.effective += c
		rows = append(rows, r)
	})
	var b bytes.Buffer
	w := parquet.NewGenericWriter[focusParquetRow](&b, parquet.MaxRowsPerRowGroup(500))
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFOCUSParquet reads a FOCUS Parquet file from memory and from a file
// on disk (read in place) to the same exact figures as the data written.
func TestFOCUSParquet(t *testing.T) {
	g := anomalySet()
	data := g.focusParquet(t)
	path := filepath.Join(t.TempDir(), "focus.parquet")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, "")
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := Analyze(r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fromMem := analyzeBytes(t, data, "")
	for _, rep := range []*Report{fromFile, fromMem} {
		if rep.Format != "focus" || rep.EffectiveCostTotal.String() != MustAmount(cents(g.effective)).String() ||
			rep.BilledCostTotal.String() != MustAmount(cents(g.billed)).String() || rep.Currency != "USD" {
			t.Fatalf("%s rows %d billed %s effective %s, wrote %s %s", rep.Format, rep.Rows, rep.BilledCostTotal, rep.EffectiveCostTotal, cents(g.billed), cents(g.effective))
		}
		for _, name := range g.names() {
			if got, want := rep.Clusters[name].Days, g.dayCosts(name); fmt.Sprint(got) != fmt.Sprint(amounts(want)) {
				t.Fatalf("%s: %v, want %v", name, got, want)
			}
		}
		if len(rep.Anomalies) != 2 {
			t.Fatalf("anomalies %v", anomalyKeys(rep.Anomalies))
		}
	}
	if _, err := NewReader(bytes.NewReader(data[:len(data)/2]), ""); err == nil {
		t.Fatal("a truncated Parquet file was accepted")
	}
}

func amounts(m map[string]string) map[string]Amount {
	out := map[string]Amount{}
	for k, v := range m {
		out[k] = MustAmount(v)
	}
	return out
}

// rowStream generates FOCUS CSV rows on demand, never holding the file,
// and samples the heap as it goes.
type rowStream struct {
	rows, sent int
	buf        []byte
	maxHeap    uint64
}

func (s *rowStream) Read(p []byte) (int, error) {
	if len(s.buf) == 0 {
		if s.sent > s.rows {
			return 0, fmt.Errorf("EOF")
		}
		if s.sent == s.rows {
			s.sent++
			return 0, io.EOF
		}
		if s.sent == 0 {
			s.buf = append(s.buf, "BilledCost,EffectiveCost,ChargePeriodStart,ChargeCategory,Tags\n"...)
		}
		for i := 0; i < 1000 && s.sent < s.rows; i++ {
			s.buf = fmt.Appendf(s.buf, "1.25,1.00,2026-11-%02dT00:00:00Z,Usage,\"{\"\"eks:cluster-name\"\":\"\"c%d\"\"}\"\n", 1+s.sent%28, s.sent%3)
			s.sent++
		}
		if s.sent%50000 == 0 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			s.maxHeap = max(s.maxHeap, ms.HeapAlloc)
		}
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// TestStreamsRows reads 600,000 generated rows (about 50 MB) through a
// reader that never holds them and checks the heap stayed small: rows are
// processed one at a time, so a file larger than memory works.
func TestStreamsRows(t *testing.T) {
	s := &rowStream{rows: 600_000}
	r, err := NewReader(s, "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Analyze(r, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Rows != 600_000 || rep.EffectiveCostTotal.String() != "600000.00" || rep.BilledCostTotal.String() != "750000.00" {
		t.Fatalf("rows %d, %s %s", rep.Rows, rep.BilledCostTotal, rep.EffectiveCostTotal)
	}
	if s.maxHeap > 24<<20 {
		t.Fatalf("heap reached %d MiB while streaming", s.maxHeap>>20)
	}
}
