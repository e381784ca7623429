package billing

import (
	"fmt"
	"testing"
	"time"
)

func series(cents []int64) []Amount {
	s := make([]Amount, len(cents))
	for i, c := range cents {
		s[i] = MustAmount(fmt.Sprintf("%d.%02d", c/100, c%100))
	}
	return s
}

// TestGeneratedSetsEveryFormat writes one data set in every format and
// checks that each reads back to the exact totals and daily cluster costs
// written, and raises exactly the injected anomalies, each on its first day.
func TestGeneratedSetsEveryFormat(t *testing.T) {
	for _, tc := range []struct {
		format string
		data   func(*genSet) []byte
	}{
		{"focus", (*genSet).focusCSV},
		{"aws-cur", (*genSet).curGzip},
		{"gcp", (*genSet).gcpJSON},
		{"azure", (*genSet).azureCSV},
	} {
		t.Run(tc.format, func(t *testing.T) {
			g := anomalySet()
			data := tc.data(g)
			rep := analyzeBytes(t, data, "")
			if rep.Format != tc.format {
				t.Fatalf("detected %s", rep.Format)
			}
			if rep.BilledCostTotal.String() != MustAmount(cents(g.billed)).String() ||
				rep.EffectiveCostTotal.String() != MustAmount(cents(g.effective)).String() {
				t.Fatalf("totals billed %s effective %s, wrote %s %s", rep.BilledCostTotal, rep.EffectiveCostTotal, cents(g.billed), cents(g.effective))
			}
			if len(rep.Clusters) != len(g.clusters) || rep.ErrorsTotal != 0 {
				t.Fatalf("clusters %v, errors %v", keys(rep.Clusters), rep.Errors)
			}
			for _, name := range g.names() {
				want := g.dayCosts(name)
				got := rep.Clusters[name].Days
				for d, v := range want {
					if got[d].String() != v {
						t.Fatalf("%s %s = %s, want %s", name, d, got[d], v)
					}
				}
				if len(got) != len(want) {
					t.Fatalf("%s has %d days, want %d", name, len(got), len(want))
				}
			}
			if want := MustAmount(cents(g.taxCents * int64(g.days))); rep.Unattributed.Cmp(want) != 0 {
				t.Fatalf("unattributed %s, want %s", rep.Unattributed, want)
			}
			got := fmt.Sprint(anomalyKeys(rep.Anomalies))
			want := fmt.Sprint([]string{
				"drop-eu-1 " + genStart.AddDate(0, 0, 40).Format("2006-01-02") + " drop 3",
				"spiky " + genStart.AddDate(0, 0, 30).Format("2006-01-02") + " spike 2",
			})
			if got != want {
				t.Fatalf("anomalies %s, want %s", got, want)
			}
			for _, a := range rep.Anomalies {
				if a.Delta.Cmp(a.Observed.Sub(a.Expected)) != 0 {
					t.Fatalf("delta %s != observed %s - expected %s", a.Delta, a.Observed, a.Expected)
				}
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	return k
}

func anomalyKeys(as []Anomaly) []string {
	var k []string
	for _, a := range as {
		k = append(k, fmt.Sprintf("%s %s %s %d", a.Cluster, a.Starts, a.Kind, a.Days))
	}
	return k
}

// TestQuietWeeklySeriesRaisesNothing: weekends at 60% of weekdays, with
// noise, for eight weeks — in the first two weeks judged against the
// trailing days, later against the same weekday.
func TestQuietWeeklySeriesRaisesNothing(t *testing.T) {
	for salt := 0; salt < 20; salt++ {
		s := series(weekly(56, 10000, 6000, 300, salt))
		if got := DetectAnomalies("c", genStart, s, AnomalyOptions{}); len(got) != 0 {
			t.Fatalf("salt %d: %v", salt, anomalyKeys(got))
		}
	}
	// A perfectly flat series has no spread at all: a one percent change
	// is not material.
	flat := series(weekly(30, 10000, 10000, 0, 0))
	flat[20] = MustAmount("101")
	if got := DetectAnomalies("c", genStart, flat, AnomalyOptions{}); len(got) != 0 {
		t.Fatalf("flat: %v", anomalyKeys(got))
	}
}

// TestSpikeFoundOnItsFirstDay: a three-day spike is one anomaly at its
// first day whose delta is that day's observed minus expected; the days
// after it, back to normal, raise no drop.
func TestSpikeFoundOnItsFirstDay(t *testing.T) {
	c := weekly(42, 10000, 10000, 100, 7)
	for i := 24; i < 27; i++ {
		c[i] = 25000 + int64(i)
	}
	got := DetectAnomalies("c", genStart, series(c), AnomalyOptions{})
	if len(got) != 1 {
		t.Fatalf("%v", anomalyKeys(got))
	}
	a := got[0]
	if a.Starts != genStart.AddDate(0, 0, 24).Format("2006-01-02") || a.Kind != KindSpike || a.Days != 3 {
		t.Fatalf("%+v", a)
	}
	if a.Observed.String() != "250.24" || a.Delta.Cmp(a.Observed.Sub(a.Expected)) != 0 || a.Delta.Float64() < 140 {
		t.Fatalf("%+v", a)
	}
}

// TestEarlySpikeUsesTrailingWindow: with under two weeks of history the
// trailing days are the baseline, so a spike on day 6 is still found.
func TestEarlySpikeUsesTrailingWindow(t *testing.T) {
	c := weekly(10, 10000, 10000, 100, 9)
	c[6] = 40000
	got := DetectAnomalies("c", genStart, series(c), AnomalyOptions{})
	if len(got) != 1 || got[0].Starts != genStart.AddDate(0, 0, 6).Format("2006-01-02") {
		t.Fatalf("%v", anomalyKeys(got))
	}
	// Before MinHistory days nothing is judged.
	c = weekly(10, 10000, 10000, 100, 9)
	c[3] = 40000
	if got := DetectAnomalies("c", genStart, series(c), AnomalyOptions{}); len(got) != 0 {
		t.Fatalf("%v", anomalyKeys(got))
	}
}

// TestMondaysComparedWithMondays: a weekly batch day (every Monday at 3×)
// is the norm once two Mondays are history; only the first two, judged
// against the trailing week, may stand out.
func TestMondaysComparedWithMondays(t *testing.T) {
	c := weekly(56, 10000, 10000, 100, 11)
	for i := 0; i < 56; i += 7 {
		c[i] = 30000
	}
	for _, a := range DetectAnomalies("c", genStart, series(c), AnomalyOptions{}) {
		if d, _ := time.Parse("2006-01-02", a.Starts); d.Sub(genStart) >= 14*24*time.Hour {
			t.Fatalf("a regular Monday flagged: %+v", a)
		}
	}
}
