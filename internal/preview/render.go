package preview

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/usecapsule/capsule/internal/risk"
)

// WriteJSON writes the preview as indented JSON.
func (p *Preview) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// WriteText writes the preview for a terminal.
func (p *Preview) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Promotion preview: risk level %s\n\n", strings.ToUpper(string(p.RiskLevel)))
	fmt.Fprintf(&b, "Diff: %d added, %d removed, %d modified (%d field changes)\n",
		len(p.Diff.Added), len(p.Diff.Removed), len(p.Diff.Modified), len(p.Diff.Changes))
	for _, k := range p.Diff.Added {
		fmt.Fprintf(&b, "  + %s\n", k)
	}
	for _, k := range p.Diff.Removed {
		fmt.Fprintf(&b, "  - %s\n", k)
	}
	for _, k := range p.Diff.Modified {
		fmt.Fprintf(&b, "  ~ %s\n", k)
		for _, c := range p.Diff.Changes {
			if c.Resource == k {
				fmt.Fprintf(&b, "      %s: %s -> %s\n", c.Path, value(c.From), value(c.To))
			}
		}
	}
	b.WriteString("\n")
	writeCostText(&b, p.EstimatedCost)
	fmt.Fprintf(&b, "\nRisks: %s\n", riskCounts(p.Risks))
	for _, f := range p.Risks {
		fmt.Fprintf(&b, "  %-9s %4g %-8s %s %s\n      %s\n", f.Status, f.Severity, risk.LevelOf(f.Severity), orWhole(f.Resource), f.Path, f.Message)
	}
	if len(p.NotAssessed) > 0 {
		fmt.Fprintf(&b, "\nNot assessed: %s no risk rule could judge\n", objects(len(p.NotAssessed)))
		for _, r := range p.NotAssessed {
			fmt.Fprintf(&b, "  %s (%s): %s\n", r.Kind+"/"+r.Name, where(r), r.Reason)
		}
	}
	fmt.Fprintf(&b, "\nExplanation:\n  %s\n", p.Explanation)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown writes the preview as a pull-request comment.
func (p *Preview) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## Promotion preview: risk level **%s**\n\n%s\n\n", p.RiskLevel, p.Explanation)
	fmt.Fprintf(&b, "### Diff\n\n%d added, %d removed, %d modified (%d field changes)\n\n",
		len(p.Diff.Added), len(p.Diff.Removed), len(p.Diff.Modified), len(p.Diff.Changes))
	if len(p.Diff.Changes)+len(p.Diff.Added)+len(p.Diff.Removed) > 0 {
		b.WriteString("| Resource | Change | From | To |\n|---|---|---|---|\n")
		for _, k := range p.Diff.Added {
			fmt.Fprintf(&b, "| `%s` | added | | |\n", k)
		}
		for _, k := range p.Diff.Removed {
			fmt.Fprintf(&b, "| `%s` | removed | | |\n", k)
		}
		for _, c := range p.Diff.Changes {
			fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", c.Resource, c.Path, mdCell(value(c.From)), mdCell(value(c.To)))
		}
	}
	b.WriteString("\n### Cost\n\n")
	writeCostMarkdown(&b, p.EstimatedCost)
	fmt.Fprintf(&b, "\n### Risks\n\n%s\n\n", riskCounts(p.Risks))
	if len(p.Risks) > 0 {
		b.WriteString("| Status | Severity | Rule | Resource | Path | Message |\n|---|---|---|---|---|---|\n")
		for _, f := range p.Risks {
			fmt.Fprintf(&b, "| %s | %g (%s) | `%s` | `%s` | `%s` | %s |\n", f.Status, f.Severity, risk.LevelOf(f.Severity), f.Rule, orWhole(f.Resource), f.Path, mdCell(f.Message))
		}
	}
	if len(p.NotAssessed) > 0 {
		fmt.Fprintf(&b, "\n### Not assessed\n\n%s no risk rule could judge:\n\n", objects(len(p.NotAssessed)))
		for _, r := range p.NotAssessed {
			fmt.Fprintf(&b, "- `%s` (%s): %s\n", r.Kind+"/"+r.Name, mdCell(where(r)), r.Reason)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func objects(n int) string {
	if n == 1 {
		return "1 object"
	}
	return fmt.Sprintf("%d objects", n)
}

// where renders an object's apiVersion and namespace.
func where(r risk.ObjectRef) string {
	if r.Namespace == "" {
		return r.APIVersion
	}
	return r.APIVersion + ", namespace " + r.Namespace
}

func riskCounts(fs []risk.Finding) string {
	n := map[risk.Status]int{}
	for _, f := range fs {
		n[f.Status]++
	}
	return fmt.Sprintf("%d new, %d unchanged, %d resolved", n[risk.StatusNew], n[risk.StatusUnchanged], n[risk.StatusResolved])
}

func orWhole(resource string) string {
	if resource == "" {
		return "(whole change)"
	}
	return resource
}

// value renders a changed value compactly; absent values show as "-".
func value(v any) string {
	if v == nil {
		return "-"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	s := string(b)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
