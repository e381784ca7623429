package billing

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"time"
)

// A genSet is a generated billing data set: each cluster's effective cost
// per day in cents, plus an untagged tax line a day. The writers below
// spell it in each provider's format, splitting every day into several
// rows and using each provider's way of tagging and discounting, while
// keeping the exact totals they wrote.
type genSet struct {
	start    time.Time
	days     int
	clusters map[string][]int64
	taxCents int64

	billed, effective int64 // cents, as written
}

// genStart is a Monday.
var genStart = time.Date(2026, 9, 7, 0, 0, 0, 0, time.UTC)

// noise is a small deterministic wobble in [-n, n].
func noise(i, salt int, n int64) int64 {
	h := uint64(i*7919+salt*104729) * 2654435761
	return int64(h>>33)%(2*n+1) - n
}

// weekly is a series with weekday and weekend levels (cents) and noise.
func weekly(days int, weekday, weekend, wobble int64, salt int) []int64 {
	s := make([]int64, days)
	for i := range s {
		base := weekday
		if wd := genStart.AddDate(0, 0, i).Weekday(); wd == time.Saturday || wd == time.Sunday {
			base = weekend
		}
		s[i] = base + noise(i, salt, wobble)
	}
	return s
}

// anomalySet is eight weeks of four clusters: a quiet one with weekly
// seasonality, one with a two-day spike from day 30, one with a three-day
// drop from day 40, and one of cents whose tenfold jump is immaterial.
func anomalySet() *genSet {
	const days = 56
	g := &genSet{start: genStart, days: days, clusters: map[string][]int64{}, taxCents: 321}
	g.clusters["quiet-seasonal"] = weekly(days, 10000, 6000, 200, 1)
	spiky := weekly(days, 10000, 6000, 200, 2)
	spiky[30] *= 3
	spiky[31] *= 3
	g.clusters["spiky"] = spiky
	drop := weekly(days, 20000, 15000, 300, 3)
	for i := 40; i < 43; i++ {
		drop[i] /= 10
	}
	g.clusters["drop-eu-1"] = drop
	pennies := weekly(days, 5, 5, 4, 4)
	pennies[20] = 50
	g.clusters["pennies"] = pennies
	return g
}

func cents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// split divides a day's cost into three rows.
func split(c int64) [3]int64 { return [3]int64{c / 3, c / 3, c - 2*(c/3)} }

func (g *genSet) names() []string {
	var n []string
	for k := range g.clusters {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// each calls fn for every day, cluster and row part, then the day's tax.
func (g *genSet) each(fn func(day time.Time, cluster string, part int, c int64)) {
	for d := 0; d < g.days; d++ {
		day := g.start.AddDate(0, 0, d)
		for _, name := range g.names() {
			for p, c := range split(g.clusters[name][d]) {
				fn(day, name, p, c)
			}
		}
		fn(day, "", 0, g.taxCents)
	}
}

func writeCSV(w io.Writer, header []string, rows func(emit func(...string))) {
	cw := csv.NewWriter(w)
	_ = cw.Write(header)
	rows(func(f ...string) { _ = cw.Write(f) })
	cw.Flush()
}

func jsonQuote(s string) string { return fmt.Sprintf("%q", s) }

// focusCSV writes FOCUS: BilledCost is one cent above EffectiveCost.
func (g *genSet) focusCSV() []byte {
	var b bytes.Buffer
	writeCSV(&b, []string{"BillingCurrency", "ChargePeriodStart", "ChargePeriodEnd", "BilledCost", "EffectiveCost", "ChargeCategory", "ServiceName", "ResourceId", "Tags", "x_Extra"},
		func(emit func(...string)) {
			g.each(func(day time.Time, cluster string, part int, c int64) {
				start, end := day.Format(time.RFC3339), day.Add(24*time.Hour).Format(time.RFC3339)
				if cluster == "" {
					g.billed, g.effective = g.billed+c, g.effective+c
					emit("USD", start, end, cents(c), cents(c), "Tax", "Tax", "", "", "")
					return
				}
				g.billed, g.effective = g.billed+c+1, g.effective+c
				tags := `{"aws:eks:cluster-name":` + jsonQuote(cluster) + `}`
				if part == 1 {
					tags = `{"kubernetes.io/cluster/` + cluster + `":"owned"}`
				}
				emit("USD", start, end, cents(c+1), cents(c), "Usage", "Amazon EC2", fmt.Sprintf("i-%s-%d", cluster, part), tags, "x")
			})
		})
	return b.Bytes()
}

// curGzip writes a gzipped CUR 2.0 file: part 0 on-demand usage, part 1
// savings-plan covered usage (billed one cent above its effective cost)
// with its negation, part 2 tagged by the sanitized kubernetes.io key.
func (g *genSet) curGzip() []byte {
	var raw bytes.Buffer
	writeCSV(&raw, []string{"line_item_line_item_type", "line_item_usage_start_date", "line_item_unblended_cost", "savings_plan_savings_plan_effective_cost", "line_item_currency_code", "line_item_resource_id", "resource_tags"},
		func(emit func(...string)) {
			g.each(func(day time.Time, cluster string, part int, c int64) {
				start := day.Add(time.Duration(part) * time.Hour).Format("2006-01-02T15:04:05.000Z")
				if cluster == "" {
					g.billed, g.effective = g.billed+c, g.effective+c
					emit("Tax", start, cents(c), "", "USD", "", "{}")
					return
				}
				tags := `{"aws_eks_cluster_name":` + jsonQuote(cluster) + `}`
				switch part {
				case 0:
					g.billed, g.effective = g.billed+c, g.effective+c
					emit("Usage", start, cents(c), "0", "USD", "i-1", tags)
				case 1:
					g.effective += c
					emit("SavingsPlanCoveredUsage", start, cents(c+1), cents(c), "USD", "i-2", tags)
					emit("SavingsPlanNegation", start, cents(-(c + 1)), "0", "USD", "i-2", tags)
				case 2:
					g.billed, g.effective = g.billed+c, g.effective+c
					emit("Usage", start, cents(c), "", "USD", "i-3", `{"user_kubernetes_io_cluster_`+sanitizeName(cluster)+`":"owned"}`)
				}
			})
		})
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write(raw.Bytes())
	_ = zw.Close()
	return z.Bytes()
}

// gcpJSON writes the GCP export as JSON lines: cost five cents above the
// effective cost, the difference a credit; timestamps in UTC-8.
func (g *genSet) gcpJSON() []byte {
	var b bytes.Buffer
	pst := time.FixedZone("PST", -8*3600)
	g.each(func(day time.Time, cluster string, part int, c int64) {
		start := day.Add(time.Duration(part) * time.Hour).In(pst).Format(time.RFC3339)
		if cluster == "" {
			g.billed, g.effective = g.billed+c, g.effective+c
			fmt.Fprintf(&b, `{"cost":%s,"currency":"USD","usage_start_time":%q,"cost_type":"tax","credits":[]}`+"\n", cents(c), start)
			return
		}
		g.billed, g.effective = g.billed+c+5, g.effective+c
		labels := `[{"key":"goog-k8s-cluster-name","value":` + jsonQuote(cluster) + `}]`
		where := `"labels"`
		if part == 2 {
			where = `"system_labels"`
		}
		fmt.Fprintf(&b, `{"service":{"description":"Compute Engine"},"cost":%s,"currency":"USD","usage_start_time":%q,%s:%s,"credits":[{"name":"SUD","amount":-0.05,"type":"SUSTAINED_USAGE_DISCOUNT"}],"cost_type":"regular"}`+"\n",
			cents(c+5), start, where, labels)
	})
	return b.Bytes()
}

// azureCSV writes an Azure export: month-first dates, tags without
// braces, and part 2 found only by the AKS node resource group.
func (g *genSet) azureCSV() []byte {
	var b bytes.Buffer
	writeCSV(&b, []string{"Date", "CostInBillingCurrency", "BillingCurrency", "ChargeType", "ResourceId", "Tags", "Quantity", "PayGPrice"},
		func(emit func(...string)) {
			g.each(func(day time.Time, cluster string, part int, c int64) {
				date := day.Format("01/02/2006")
				g.billed, g.effective = g.billed+c, g.effective+c
				if cluster == "" {
					emit(date, cents(c), "USD", "Tax", "", "", "", "")
					return
				}
				id := "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm"
				tags := `"aks-managed-cluster-name": ` + jsonQuote(cluster) + `,"env": "x"`
				if part == 2 {
					id = "/subscriptions/s/resourceGroups/MC_rg_" + cluster + "_westeurope/providers/Microsoft.Compute/disks/d"
					tags = ""
				}
				emit(date, cents(c), "USD", "Usage", id, tags, "1", "")
			})
		})
	return b.Bytes()
}

// dayCosts is a cluster's series as the report's days map.
func (g *genSet) dayCosts(cluster string) map[string]string {
	m := map[string]string{}
	for d, c := range g.clusters[cluster] {
		m[g.start.AddDate(0, 0, d).Format("2006-01-02")] = MustAmount(cents(c)).String()
	}
	return m
}
