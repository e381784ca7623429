package web

import (
	"net/url"
	"sort"
	"strings"

	"github.com/usecapsule/capsule/internal/diff"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/risk"
)

// previewView is a stored preview shaped for its partials (diff, cost
// chart, risks, explanation), which a promotion page reuses with the same
// artifact.
type previewView struct {
	ID          string
	Preview     httpapi.PreviewResponse
	Objects     []diffObject
	Cost        *costChart
	Risks       []riskRow
	RiskCounts  map[string]int
	NotAssessed []risk.ObjectRef
	Source      string
}

// diffObject is one object of the unified diff: its changed fields as
// removed and added lines.
type diffObject struct {
	Resource string
	Status   string // added, removed or modified
	Lines    []diffLine
}

type diffLine struct {
	Path   string
	Sign   string // "-" or "+"
	Value  string
	Anchor string // the first line of a field carries the field's anchor
}

// riskRow is a finding with the anchor it links to: the field's line when
// the diff shows that field, else the object.
type riskRow struct {
	risk.Finding
	Link string
}

func (h *Handler) preview(pc *pageCtx) error {
	var p httpapi.PreviewResponse
	if err := pc.get("/api/v1/previews/"+url.PathEscape(pc.r.PathValue("id")), &p); err != nil {
		return err
	}
	return pc.render("preview", "Preview", buildPreviewView(p))
}

func buildPreviewView(p httpapi.PreviewResponse) previewView {
	v := previewView{ID: p.ID, Preview: p, NotAssessed: p.NotAssessed, RiskCounts: map[string]int{}}
	fields := map[string]bool{}
	if p.Diff != nil {
		v.Objects = diffObjects(p.Diff)
		for _, o := range v.Objects {
			fields[anchor(o.Resource)] = true
			for _, l := range o.Lines {
				fields[anchor(o.Resource, l.Path)] = true
			}
		}
	}
	if p.EstimatedCost != nil {
		v.Cost = newCostChart(p.EstimatedCost)
	}
	for _, f := range p.Risks {
		link := riskLink(f, fields)
		v.Risks = append(v.Risks, riskRow{Finding: f, Link: link})
		v.RiskCounts[string(f.Status)]++
	}
	// Highest severity first, new before unchanged before resolved.
	order := map[string]int{"new": 0, "unchanged": 1, "resolved": 2}
	sort.SliceStable(v.Risks, func(i, j int) bool {
		a, b := v.Risks[i], v.Risks[j]
		if order[string(a.Status)] != order[string(b.Status)] {
			return order[string(a.Status)] < order[string(b.Status)]
		}
		return a.Severity > b.Severity
	})
	v.Source = "deterministic"
	if p.ExplanationSource != nil && p.ExplanationSource.Source != "" {
		v.Source = p.ExplanationSource.Source
	}
	return v
}

// diffObjects groups the preview's changes by object. Values are shown as
// the artifact holds them: the diff engine redacts Secret data before it
// is stored, so nothing secret reaches this page.
func diffObjects(d *diff.Result) []diffObject {
	status := map[string]string{}
	var order []string
	add := func(rs []string, s string) {
		for _, r := range rs {
			if _, ok := status[r]; !ok {
				order = append(order, r)
			}
			status[r] = s
		}
	}
	add(d.Added, "added")
	add(d.Removed, "removed")
	add(d.Modified, "modified")
	lines := map[string][]diffLine{}
	for _, c := range d.Changes {
		if _, ok := status[c.Resource]; !ok {
			order = append(order, c.Resource)
			status[c.Resource] = "modified"
		}
		a := anchor(c.Resource, c.Path)
		if c.Op != diff.OpAdded {
			lines[c.Resource] = append(lines[c.Resource], diffLine{Path: c.Path, Sign: "-", Value: valueText(c.From), Anchor: a})
			a = ""
		}
		if c.Op != diff.OpRemoved {
			lines[c.Resource] = append(lines[c.Resource], diffLine{Path: c.Path, Sign: "+", Value: valueText(c.To), Anchor: a})
		}
	}
	out := make([]diffObject, 0, len(order))
	for _, r := range order {
		out = append(out, diffObject{Resource: r, Status: status[r], Lines: lines[r]})
	}
	return out
}

// riskLink is where a finding points: the line of its field in the diff,
// else of the nearest enclosing field the diff shows (a finding about
// securityContext/privileged links to an added securityContext), else its
// object; a finding about the change as a whole (the cost) links to the
// cost section.
func riskLink(f risk.Finding, fields map[string]bool) string {
	if f.Resource == "" {
		if strings.HasPrefix(f.Path, "/estimated_cost") {
			return "cost-h"
		}
		return "risk-h"
	}
	for p := f.Path; p != ""; p = p[:max(strings.LastIndex(p, "/"), 0)] {
		if a := anchor(f.Resource, p); fields[a] {
			return a
		}
	}
	return anchor(f.Resource)
}
