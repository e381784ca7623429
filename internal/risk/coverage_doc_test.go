package risk

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// coverageDoc is the table of checks of other tools and the Capsule rules
// answering them.
const coverageDoc = "../../docs/RISK-COVERAGE.md"

// coverageTools are the tool groups of the table, in their order.
var coverageTools = []string{"kube-linter", "kube-score", "Polaris", "Kubescape", "Capsule"}

// coverageRow is one row of the table.
type coverageRow struct {
	line                 int
	tool, check, capsule string
}

var backticked = regexp.MustCompile("`([^`]*)`")

// parseCoverage reads the one table whose header is "| tool | check | what
// it flags | Capsule |" and checks its shape: four cells a row, tools
// grouped in coverageTools order, no check listed twice for a tool, every
// Capsule cell naming rule ids in backticks or starting with "planned: " or
// "not a promotion risk: ".
func parseCoverage(text string) ([]coverageRow, []string) {
	var rows []coverageRow
	var problems []string
	in, header := false, false
	seen := map[string]int{}
	toolAt := map[string]int{}
	for i, n := range coverageTools {
		toolAt[n] = i
	}
	last := -1
	for i, line := range strings.Split(text, "\n") {
		ln := i + 1
		if !in {
			if normalizeRow(line) == "|tool|check|what it flags|Capsule|" {
				in, header = true, true
			}
			continue
		}
		if header { // the |---| line
			header = false
			continue
		}
		if !strings.HasPrefix(line, "|") {
			break
		}
		cells := splitRow(line)
		if len(cells) != 4 {
			problems = append(problems, fmt.Sprintf("line %d: %d cells, want 4", ln, len(cells)))
			continue
		}
		r := coverageRow{line: ln, tool: cells[0], check: cells[1], capsule: cells[3]}
		at, ok := toolAt[r.tool]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("line %d: unknown tool %q (want one of %v)", ln, r.tool, coverageTools))
		case at < last:
			problems = append(problems, fmt.Sprintf("line %d: %s row after a later tool's rows (group rows by tool, in the order %v)", ln, r.tool, coverageTools))
		default:
			last = at
		}
		key := r.tool + " " + r.check
		if prev, dup := seen[key]; dup {
			problems = append(problems, fmt.Sprintf("line %d: %s %s already listed on line %d", ln, r.tool, r.check, prev))
		}
		seen[key] = ln
		if !strings.HasPrefix(r.capsule, "`") && !strings.HasPrefix(r.capsule, "planned: ") &&
			!strings.HasPrefix(r.capsule, "not a promotion risk: ") {
			problems = append(problems, fmt.Sprintf("line %d: Capsule cell %q is neither rule ids in backticks, \"planned: <reason>\" nor \"not a promotion risk: <why>\"", ln, r.capsule))
		}
		rows = append(rows, r)
	}
	if !in {
		problems = append(problems, "no table with the header | tool | check | what it flags | Capsule |")
	}
	return rows, problems
}

// splitRow splits a Markdown table row into trimmed cells; "\|" stays
// inside its cell.
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

func normalizeRow(line string) string {
	return "|" + strings.Join(splitRow(line), "|") + "|"
}

// coverageMismatch compares the ids the table names with the registered
// ones: registered but never named, and named but not registered.
func coverageMismatch(rows []coverageRow, registered []string) (unnamed, unknown []string) {
	reg := map[string]bool{}
	for _, id := range registered {
		reg[id] = true
	}
	named := map[string]bool{}
	for _, r := range rows {
		for _, m := range backticked.FindAllStringSubmatch(r.capsule, -1) {
			if !named[m[1]] && !reg[m[1]] {
				unknown = append(unknown, fmt.Sprintf("%s (line %d)", m[1], r.line))
			}
			named[m[1]] = true
		}
	}
	for _, id := range registered {
		if !named[id] {
			unnamed = append(unnamed, id)
		}
	}
	sort.Strings(unnamed)
	return unnamed, unknown
}

// TestCoverageDocNamesEveryRule keeps docs/RISK-COVERAGE.md true to the
// registry: every registered rule is named in the Capsule column, and every
// id the column names is registered.
func TestCoverageDocNamesEveryRule(t *testing.T) {
	raw, err := os.ReadFile(coverageDoc)
	if err != nil {
		t.Fatal(err)
	}
	rows, problems := parseCoverage(string(raw))
	for _, p := range problems {
		t.Errorf("%s: %s", coverageDoc, p)
	}
	var ids []string
	for _, r := range Default().Rules() {
		ids = append(ids, r.Meta().ID)
	}
	unnamed, unknown := coverageMismatch(rows, ids)
	if len(unnamed) > 0 {
		t.Errorf("%s does not name these registered rules in its Capsule column (map them to the checks they answer, or add a Capsule row): %s",
			coverageDoc, strings.Join(unnamed, ", "))
	}
	if len(unknown) > 0 {
		t.Errorf("%s names rule ids that are not registered: %s", coverageDoc, strings.Join(unknown, ", "))
	}
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.tool]++
	}
	t.Logf("rows per tool: %v", counts)
}

// TestCoverageDocCheckerFails shows the check can fail: a table missing a
// registered id, naming an unknown one, or with a malformed cell is
// reported with the ids and lines.
func TestCoverageDocCheckerFails(t *testing.T) {
	doc := "intro\n\n| tool | check | what it flags | Capsule |\n|---|---|---|---|\n" +
		"| kube-linter | `a` | x | `rule-one`, `ghost-rule` |\n" +
		"| Polaris | `b` | y | maybe later |\n" +
		"| kube-score | `c` | z | planned: riskrules (x) |\n" +
		"| Polaris | `b` | y | not a promotion risk: style |\n" +
		"| Other | `d` | w | `rule-one` |\n\ntrailing text | not a row\n"
	rows, problems := parseCoverage(doc)
	wantProblems := []string{
		`line 6: Capsule cell "maybe later"`,
		"line 7: kube-score row after a later tool's rows",
		"line 8: Polaris `b` already listed on line 6",
		`line 9: unknown tool "Other"`,
	}
	joined := strings.Join(problems, "\n")
	for _, w := range wantProblems {
		if !strings.Contains(joined, w) {
			t.Errorf("problems lack %q:\n%s", w, joined)
		}
	}
	if len(problems) != len(wantProblems) {
		t.Errorf("got %d problems, want %d:\n%s", len(problems), len(wantProblems), joined)
	}
	unnamed, unknown := coverageMismatch(rows, []string{"rule-one", "rule-two"})
	if strings.Join(unnamed, ",") != "rule-two" {
		t.Errorf("unnamed = %v, want [rule-two]", unnamed)
	}
	if strings.Join(unknown, ",") != "ghost-rule (line 5)" {
		t.Errorf("unknown = %v, want [ghost-rule (line 5)]", unknown)
	}
	if _, problems := parseCoverage("no table here"); len(problems) != 1 {
		t.Errorf("a document without the table: %v", problems)
	}
}
