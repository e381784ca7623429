package diff

import (
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// lineOp is one line of a line diff: ' ' kept, '-' removed, '+' added.
type lineOp struct {
	kind   byte
	text   string
	ai, bi int // 0-based positions in a and b before this line
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
			ops = append(ops, lineOp{' ', a[i], i, j})
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			ops = append(ops, lineOp{'-', a[i], i, j})
			i++
		default:
			ops = append(ops, lineOp{'+', b[j], i, j})
			j++
		}
	}
	return ops
}

// hunks keeps the changed lines with ctx lines of context around them, and
// starts each run with a '@' op whose text is the unified-diff header
// ("@@ -1,4 +1,5 @@").
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
	for i := 0; i < len(ops); {
		if !keep[i] {
			i++
			continue
		}
		j := i
		for j < len(ops) && keep[j] {
			j++
		}
		out = append(out, lineOp{kind: '@', text: hunkHeader(ops[i:j])})
		out = append(out, ops[i:j]...)
		i = j
	}
	return out
}

// hunkHeader counts a run's lines on each side (1-based starts; a side with
// no lines starts at the line before, as diff -u does).
func hunkHeader(run []lineOp) string {
	na, nb := 0, 0
	for _, op := range run {
		if op.kind != '+' {
			na++
		}
		if op.kind != '-' {
			nb++
		}
	}
	sa, sb := run[0].ai+1, run[0].bi+1
	if na == 0 {
		sa--
	}
	if nb == 0 {
		sb--
	}
	return fmt.Sprintf("@@ -%d,%d +%d,%d @@", sa, na, sb, nb)
}
