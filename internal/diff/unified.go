package diff

import (
	"strings"

	"sigs.k8s.io/yaml"
)

// lineOp is one line of a line diff: ' ' kept, '-' removed, '+' added.
type lineOp struct {
	kind byte
	text string
}

// objectYAML renders a normalized object (secrets shown redacted) as lines.
func objectYAML(m map[string]any) []string {
	if m == nil {
		return nil
	}
	b, err := yaml.Marshal(display(m))
	if err != nil {
		return []string{"# cannot render: " + err.Error()}
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// lineDiff returns the edit script from a to b by longest common
// subsequence; manifests are small, so O(n·m) is fine.
func lineDiff(a, b []string) []lineOp {
	n, m := len(a), len(b)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	ops := make([]lineOp, 0, n+m)
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, lineOp{' ', a[i]})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, lineOp{'-', a[i]})
			i++
		default:
			ops = append(ops, lineOp{'+', b[j]})
			j++
		}
	}
	return ops
}

// hunks keeps the changed lines with ctx lines of context around them and
// marks skipped runs with a nil-kind separator.
func hunks(ops []lineOp, ctx int) []lineOp {
	keep := make([]bool, len(ops))
	for i, op := range ops {
		if op.kind == ' ' {
			continue
		}
		for k := max(0, i-ctx); k <= min(len(ops)-1, i+ctx); k++ {
			keep[k] = true
		}
	}
	var out []lineOp
	skipped := false
	for i, op := range ops {
		if !keep[i] {
			skipped = true
			continue
		}
		if skipped || (len(out) == 0 && i > 0) {
			out = append(out, lineOp{kind: '@'})
		}
		skipped = false
		out = append(out, op)
	}
	return out
}
