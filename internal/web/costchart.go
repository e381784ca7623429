package web

import (
	"sort"

	"github.com/usecapsule/capsule/internal/cost"
)

// costChart is the cost delta drawn as server-side SVG: one row per
// resource (and one per component), a bar for the baseline and one for the
// projected monthly cost, the projection's confidence band as a whisker.
// Coordinates are computed here; the template only places them.
type costChart struct {
	Report *cost.DeltaReport
	Width  int
	Height int
	Label  int // width of the label column
	Rows   []costRow
	Ticks  []costTick
}

type costRow struct {
	Label               string
	Baseline, Projected cost.Money
	Delta               cost.Money
	Band                *cost.Band
	Y                   int
	BaseW, ProjW        int
	BandX1, BandX2      int
	Component           bool
}

type costTick struct {
	X     int
	Label string
}

const (
	chartWidth = 640
	chartLabel = 200
	rowHeight  = 34
	plotWidth  = chartWidth - chartLabel - 40
)

func newCostChart(r *cost.DeltaReport) *costChart {
	c := &costChart{Report: r, Width: chartWidth, Label: chartLabel}
	var rows []costRow
	for _, it := range r.Items {
		label := it.Resource
		if it.Namespace != "" {
			label = it.Namespace + "/" + it.Resource
		}
		rows = append(rows, costRow{Label: label, Baseline: it.Baseline, Projected: it.Projected, Delta: it.Delta, Band: it.Confidence})
	}
	names := make([]string, 0, len(r.Components))
	for n := range r.Components {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		cd := r.Components[n]
		rows = append(rows, costRow{Label: "component: " + n, Baseline: cd.Baseline, Projected: cd.Projected, Delta: cd.Delta, Component: true})
	}
	rows = append(rows, costRow{Label: "total", Baseline: r.Baseline, Projected: r.Projected, Delta: r.Delta, Band: r.Confidence})
	top := cost.Money(1)
	for _, row := range rows {
		top = max(top, row.Baseline, row.Projected)
		if row.Band != nil {
			top = max(top, row.Band.High)
		}
	}
	scale := func(m cost.Money) int {
		if m <= 0 {
			return 0
		}
		return int(int64(m) * plotWidth / int64(top))
	}
	for i := range rows {
		row := &rows[i]
		row.Y = 24 + i*rowHeight
		row.BaseW, row.ProjW = max(scale(row.Baseline), 1), max(scale(row.Projected), 1)
		if row.Band != nil {
			row.BandX1, row.BandX2 = chartLabel+scale(row.Band.Low), chartLabel+scale(row.Band.High)
		}
	}
	c.Rows = rows
	c.Height = 24 + len(rows)*rowHeight + 24
	for i := 0; i <= 4; i++ {
		m := cost.Money(int64(top) * int64(i) / 4)
		c.Ticks = append(c.Ticks, costTick{X: chartLabel + scale(m), Label: "$" + m.String()})
	}
	return c
}
