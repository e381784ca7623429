package preview

import (
	"context"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/cost"
	"github.com/usecapsule/capsule/internal/diff"
	"github.com/usecapsule/capsule/internal/explain"
	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/risk"
)

// Input is one promotion to preview.
type Input struct {
	Current  []manifest.Object
	Proposed []manifest.Object
	// Cluster is the target's state; nil when unknown.
	Cluster *Cluster
	// KubeVersion is the target version ("1.34"); see the package doc.
	KubeVersion string
	Diff        diff.Options
	// Pricing overrides unit and instance prices; nil means the defaults
	// and the shipped catalogue.
	Pricing *cost.Pricing
	// Rules is the risk registry; nil means risk.Default().
	Rules *risk.Registry
}

// Preview is the artifact: the JSON shape.
type Preview struct {
	Diff          *diff.Result      `json:"diff"`
	EstimatedCost *cost.DeltaReport `json:"estimated_cost"`
	RiskLevel     risk.Level        `json:"risk_level"`
	Risks         []risk.Finding    `json:"risks"`
	// NotAssessed are the proposed objects of kinds the risk rules do not
	// understand (custom resources, OpenShift kinds): judged by nobody, so
	// named rather than passed over in silence.
	NotAssessed       []risk.ObjectRef `json:"not_assessed"`
	Explanation       string           `json:"explanation"`
	ExplanationSource *explain.Result  `json:"explanation_source,omitempty"`
	// Facts are what the explanation was made from; kept for Explain.
	Facts explain.Facts `json:"-"`
}

// Build computes the diff, the cost, the risks and the deterministic
// explanation.
func Build(in Input) (*Preview, error) {
	d, err := diff.Compute(in.Current, in.Proposed, in.Diff)
	if err != nil {
		return nil, err
	}
	c, err := estimate(in)
	if err != nil {
		return nil, err
	}
	rules := in.Rules
	if rules == nil {
		rules = risk.Default()
	}
	rep, err := risk.Evaluate(rules, risk.Input{
		Current:     authored(in.Current, in.Proposed),
		Proposed:    authored(in.Proposed, in.Current),
		Cluster:     in.Cluster.riskCluster(),
		KubeVersion: kubeVersion(in),
		Cost:        &risk.CostChange{BaselineCents: c.Baseline.Cents(), ProjectedCents: c.Projected.Cents()},
	})
	if err != nil {
		return nil, err
	}
	p := &Preview{Diff: d, EstimatedCost: c, RiskLevel: rep.Level, Risks: rep.Findings, NotAssessed: rep.NotAssessed}
	p.Facts = facts(p, in)
	p.Explanation = explain.Deterministic(p.Facts)
	return p, nil
}

// Explainer produces an explanation from facts (explain.LLM does).
type Explainer interface {
	Explain(ctx context.Context, f explain.Facts) explain.Result
}

// Explain replaces the deterministic explanation with e's and records where
// the text came from.
func (p *Preview) Explain(ctx context.Context, e Explainer) {
	r := e.Explain(ctx, p.Facts)
	p.Explanation = r.Text
	p.ExplanationSource = &r
}

func kubeVersion(in Input) string {
	if in.KubeVersion != "" {
		return in.KubeVersion
	}
	if in.Cluster != nil && in.Cluster.State != nil && in.Cluster.State.KubeVersion != "" {
		return in.Cluster.State.KubeVersion
	}
	return risk.DefaultKubeVersion
}

// authored returns the objects of set that the risk engine judges: like
// the diff and the cost, it leaves out what controllers made from other
// objects of a live dump (ReplicaSets, Pods, a StatefulSet's claims) and the
// objects the control plane creates in every namespace unless the other set
// names them too; judging them would report "resolved" risks no promotion
// resolves.
func authored(set, other []manifest.Object) []*unstructured.Unstructured {
	gen := manifest.Generated(set)
	inOther := make(map[string]bool, len(other))
	for i := range other {
		inOther[other[i].Key()] = true
	}
	out := make([]*unstructured.Unstructured, 0, len(set))
	for i := range set {
		if set[i].Controlled() || (gen[i] && !inOther[set[i].Key()]) {
			continue
		}
		out = append(out, set[i].Unstructured)
	}
	return out
}

// facts collects what the explainers may say.
func facts(p *Preview, in Input) explain.Facts {
	f := explain.Facts{
		Added: p.Diff.Added, Removed: p.Diff.Removed, Modified: p.Diff.Modified,
		Changes: len(p.Diff.Changes), Currency: p.EstimatedCost.Currency,
		BaselineCents: p.EstimatedCost.Baseline.Cents(), ProjectedCents: p.EstimatedCost.Projected.Cents(),
		Drivers: drivers(p.EstimatedCost), RiskLevel: string(p.RiskLevel),
		Namespaces: namespaces(in),
	}
	for _, r := range p.Risks {
		f.Risks = append(f.Risks, explain.Risk{Rule: r.Rule, Category: r.Category, Severity: r.Severity,
			Status: string(r.Status), Resource: r.Resource, Message: r.Message})
	}
	return f
}

// namespaces lists the namespaces of both sets, for the LLM's masking.
func namespaces(in Input) []string {
	seen := map[string]bool{}
	var out []string
	for _, set := range [][]manifest.Object{in.Current, in.Proposed} {
		for _, o := range set {
			if ns := o.GetNamespace(); ns != "" && !seen[ns] {
				seen[ns] = true
				out = append(out, ns)
			}
		}
	}
	return out
}
