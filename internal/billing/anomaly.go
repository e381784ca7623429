package billing

import (
	"math"
	"sort"
	"time"
)

// An Anomaly is a run of consecutive days on which a cluster's effective
// cost left its expected range in one direction, reported at its first day.
type Anomaly struct {
	Cluster string `json:"cluster"`
	Starts  string `json:"starts"`
	Kind    string `json:"kind"`
	// Delta is observed − expected on the first day.
	Delta    Amount `json:"delta"`
	Observed Amount `json:"observed"`
	Expected Amount `json:"expected"`
	Days     int    `json:"days"`
}

// Anomaly kinds.
const (
	KindSpike = "spike"
	KindDrop  = "drop"
)

// AnomalyOptions tune the detector; zero fields take the defaults.
type AnomalyOptions struct {
	// MinHistory is the days a cluster needs before any day is judged (5).
	MinHistory int
	// Z is the robust z-score a day must reach (3.5).
	Z float64
	// MinRelative is the smallest change, as a fraction of the expected
	// cost, that counts when the same weekdays are compared (0.25);
	// MinRelativeTrailing when only the trailing days are (0.5: a weekend
	// against weekdays must not look like a drop).
	MinRelative, MinRelativeTrailing float64
	// MinAbsolute is the smallest change in currency units that counts
	// (1.00), so a series of cents never raises one.
	MinAbsolute Amount
}

func (o AnomalyOptions) withDefaults() AnomalyOptions {
	if o.MinHistory <= 0 {
		o.MinHistory = 5
	}
	if o.Z <= 0 {
		o.Z = 3.5
	}
	if o.MinRelative <= 0 {
		o.MinRelative = 0.25
	}
	if o.MinRelativeTrailing <= 0 {
		o.MinRelativeTrailing = 0.5
	}
	if o.MinAbsolute.IsZero() {
		o.MinAbsolute = MustAmount("1")
	}
	return o
}

// DetectAnomalies judges each day of a daily series starting at first
// against a robust baseline of the days before it: the median and MAD of
// the same weekday over the last four weeks once two such days exist
// (Mondays against Mondays), else of the trailing seven days. A day is
// anomalous when its robust z-score reaches Z and the change is material
// (MinAbsolute and the relative minimum). An anomalous day's value is
// replaced by its expected value in later baselines, so a spike lasting
// several days neither becomes the norm nor ends in a false drop;
// consecutive anomalous days of one kind are one anomaly.
func DetectAnomalies(cluster string, first time.Time, series []Amount, o AnomalyOptions) []Anomaly {
	o = o.withDefaults()
	base := append([]Amount(nil), series...)
	var out []Anomaly
	prevKind := ""
	for i := range series {
		kind := ""
		if i >= o.MinHistory {
			ref, rel := reference(base, i), o.MinRelativeTrailing
			if len(ref) >= 2 && i >= 14 {
				rel = o.MinRelative
			} else {
				ref = base[max(0, i-7):i]
			}
			expected, scale := robust(ref)
			delta := series[i].Sub(expected)
			d, e := delta.Float64(), math.Abs(expected.Float64())
			material := delta.Abs().Cmp(o.MinAbsolute) >= 0 && math.Abs(d) >= rel*e
			if material && math.Abs(d)/math.Max(scale, math.Max(0.05*e, 0.01)) >= o.Z {
				kind = KindSpike
				if d < 0 {
					kind = KindDrop
				}
				base[i] = expected
				if kind == prevKind {
					out[len(out)-1].Days++
				} else {
					out = append(out, Anomaly{
						Cluster: cluster, Starts: first.AddDate(0, 0, i).Format("2006-01-02"), Kind: kind,
						Delta: delta, Observed: series[i], Expected: expected, Days: 1,
					})
				}
			}
		}
		prevKind = kind
	}
	return out
}

// reference is the same weekday's values in the four weeks before day i.
func reference(base []Amount, i int) []Amount {
	var ref []Amount
	for k := 1; k <= 4 && i-7*k >= 0; k++ {
		ref = append(ref, base[i-7*k])
	}
	return ref
}

// robust returns the median of ref and its MAD scaled to a standard
// deviation (×1.4826).
func robust(ref []Amount) (Amount, float64) {
	med := median(ref)
	dev := make([]float64, len(ref))
	for i, v := range ref {
		dev[i] = math.Abs(v.Sub(med).Float64())
	}
	sort.Float64s(dev)
	var mad float64
	if n := len(dev); n%2 == 1 {
		mad = dev[n/2]
	} else {
		mad = (dev[n/2-1] + dev[n/2]) / 2
	}
	return med, 1.4826 * mad
}

func median(v []Amount) Amount {
	s := append([]Amount(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i].Cmp(s[j]) < 0 })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1].Add(s[n/2]).Half()
}
