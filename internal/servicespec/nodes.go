package servicespec

import (
	"errors"
	"strconv"

	"gopkg.in/yaml.v3"
)

// maxNodes bounds the work done on one document, so that alias bombs
// ("billion laughs") fail with an error instead of exhausting memory.
const maxNodes = 100_000

var errTooComplex = errors.New("the document is too large or nests aliases too deeply")

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// toValue converts a node to the JSON-like value the schema validator
// checks (map[string]any, []any, string, bool, int64, float64, nil).
func toValue(n *yaml.Node, budget *int) (any, error) {
	n = deref(n)
	*budget--
	if *budget < 0 || n == nil {
		return nil, errTooComplex
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return toValue(n.Content[0], budget)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := toValue(n.Content[i+1], budget)
			if err != nil {
				return nil, err
			}
			m[deref(n.Content[i]).Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := toValue(c, budget)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	}
	return scalarValue(n), nil
}

// scalarValue resolves a scalar by its YAML 1.2 core-schema tag.
func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return i
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
		return n.Value
	}
	return n.Value
}

// indexLines records the line of every field path ("scaling.maxReplicas",
// "secrets.1") below n, prefixed by prefix.
func indexLines(n *yaml.Node, prefix string, lines map[string]int, budget *int) {
	n = deref(n)
	*budget--
	if n == nil || *budget < 0 {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := join(prefix, deref(n.Content[i]).Value)
			lines[p] = n.Content[i].Line
			indexLines(n.Content[i+1], p, lines, budget)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := join(prefix, strconv.Itoa(i))
			lines[p] = c.Line
			indexLines(c, p, lines, budget)
		}
	}
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// merge returns base with over merged in, without changing either: mappings
// merge key by key, anything else in over replaces what base has.
func merge(base, over *yaml.Node, budget *int) *yaml.Node {
	base, over = deref(base), deref(over)
	*budget--
	if base == nil || base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode || *budget < 0 {
		return over
	}
	out := *base
	out.Content = append([]*yaml.Node(nil), base.Content...)
	for i := 0; i+1 < len(over.Content); i += 2 {
		key := deref(over.Content[i]).Value
		if j := findKey(&out, key); j >= 0 {
			out.Content[j+1] = merge(out.Content[j+1], over.Content[i+1], budget)
			continue
		}
		out.Content = append(out.Content, over.Content[i], over.Content[i+1])
	}
	return &out
}

// findKey returns the index of key's key node in mapping m, or -1.
func findKey(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if deref(m.Content[i]).Value == key {
			return i
		}
	}
	return -1
}

// without returns a copy of mapping m without key.
func without(m *yaml.Node, key string) *yaml.Node {
	out := *m
	out.Content = nil
	for i := 0; i+1 < len(m.Content); i += 2 {
		if deref(m.Content[i]).Value != key {
			out.Content = append(out.Content, m.Content[i], m.Content[i+1])
		}
	}
	return &out
}
