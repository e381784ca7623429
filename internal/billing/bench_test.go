package billing

import (
	"fmt"
	"io"
	"testing"

	"github.com/usecapsule/capsule/internal/cputime"
)

// repeatReader serves a FOCUS header and then block, times over: a large
// file without a disk or the memory to hold it.
type repeatReader struct {
	header, block []byte
	times         int
	cur           []byte
}

func (r *repeatReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		switch {
		case r.header != nil:
			r.cur, r.header = r.header, nil
		case r.times > 0:
			r.cur = r.block
			r.times--
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// focusBlock is 10,000 FOCUS rows over 30 days and 20 clusters, with the
// columns an AWS FOCUS 1.0 export fills for EC2 usage.
func focusBlock() ([]byte, []byte) {
	header := []byte("BillingAccountId,SubAccountId,BillingCurrency,BilledCost,EffectiveCost,ListCost,ContractedCost," +
		"ChargeCategory,ChargeClass,ChargeDescription,ChargePeriodStart,ChargePeriodEnd,ServiceName,ResourceId,RegionId,SkuId," +
		"PricingQuantity,ConsumedQuantity,Tags,x_UsageType\n")
	var b []byte
	for i := 0; i < 10_000; i++ {
		day := 1 + i%30
		b = fmt.Appendf(b, "111122223333,4444555566%02d,USD,%d.%06d,%d.%06d,%d.%02d,%d.%06d,Usage,,m6i.large Linux,"+
			"2026-11-%02dT%02d:00:00Z,2026-11-%02dT%02d:59:59Z,Amazon Elastic Compute Cloud,i-0%07x,eu-west-1,SKU%d,1,1,"+
			"\"{\"\"aws:eks:cluster-name\"\":\"\"cluster-%d\"\",\"\"user:team\"\":\"\"team-%d\"\"}\",EUW1-BoxUsage:m6i.large\n",
			i%7, i%9, i%1000000, i%7, i%999999, 1+i%9, i%100, i%9, i%1000000,
			day, i%24, day, i%24, i, i%50, i%20, i%5)
	}
	return header, b
}

// BenchmarkAnalyzeFOCUS1M reads, attributes and analyses 1,000,000 FOCUS
// CSV rows (≈ 270 MB). Target: ≤ 10 s per op.
//
//	go test ./internal/billing/ -run '^$' -bench AnalyzeFOCUS1M -benchtime 1x
func BenchmarkAnalyzeFOCUS1M(b *testing.B) {
	header, block := focusBlock()
	b.SetBytes(int64(len(header) + 100*len(block)))
	b.ReportAllocs()
	cpu, n := cputime.Now(), 0
	for b.Loop() {
		r, err := NewReader(&repeatReader{header: header, block: block, times: 100}, "")
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Analyze(r, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Rows != 1_000_000 || len(rep.Clusters) != 20 || rep.ErrorsTotal != 0 {
			b.Fatalf("rows %d clusters %d errors %v", rep.Rows, len(rep.Clusters), rep.Errors)
		}
		n++
	}
	cputime.Report(b, cpu, n)
}
