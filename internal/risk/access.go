package risk

import (
	"strconv"
	"strings"
)

// Accessors over the generic maps of unstructured objects. The engine reads
// maps directly instead of converting to typed objects: conversion costs
// about 30 µs per pod template, too much for the 20 ms preview budget, and
// it fails on whole objects where a rule only needs one field.

func mapAt(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			return nil
		}
		m = next
	}
	return m
}

func sliceAt(m map[string]any, keys ...string) []any {
	if len(keys) == 0 {
		return nil
	}
	parent := mapAt(m, keys[:len(keys)-1]...)
	s, _ := parent[keys[len(keys)-1]].([]any)
	return s
}

func stringAt(m map[string]any, keys ...string) string {
	if len(keys) == 0 {
		return ""
	}
	parent := mapAt(m, keys[:len(keys)-1]...)
	s, _ := parent[keys[len(keys)-1]].(string)
	return s
}

func boolAt(m map[string]any, keys ...string) *bool {
	if len(keys) == 0 {
		return nil
	}
	parent := mapAt(m, keys[:len(keys)-1]...)
	b, ok := parent[keys[len(keys)-1]].(bool)
	if !ok {
		return nil
	}
	return &b
}

func intAt(m map[string]any, keys ...string) (int64, bool) {
	if len(keys) == 0 {
		return 0, false
	}
	parent := mapAt(m, keys[:len(keys)-1]...)
	return toInt(parent[keys[len(keys)-1]])
}

func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case float64:
		return int64(n), n == float64(int64(n))
	}
	return 0, false
}

func stringMap(m map[string]any) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch s := v.(type) {
		case string:
			out[k] = s
		case bool:
			if s {
				out[k] = "true"
			} else {
				out[k] = "false"
			}
		default:
			if n, ok := toInt(v); ok {
				out[k] = itoa(n)
			} else if f, ok := v.(float64); ok {
				out[k] = strconv.FormatFloat(f, 'f', -1, 64) // a quantity written as a YAML number: cpu: 0.5
			}
		}
	}
	return out
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

func isTrue(b *bool) bool  { return b != nil && *b }
func isFalse(b *bool) bool { return b != nil && !*b }

// subset reports whether every key of sel has the same value in labels. An
// empty selector selects nothing here, as a Service without a selector does.
func subset(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// atPointer returns the value at a JSON pointer the engine built (keys
// without "/" or "~", array indexes in decimal), or nil.
func atPointer(v any, ptr string) any {
	for ptr != "" {
		ptr = ptr[1:]
		seg := ptr
		if i := strings.IndexByte(ptr, '/'); i >= 0 {
			seg, ptr = ptr[:i], ptr[i:]
		} else {
			ptr = ""
		}
		switch x := v.(type) {
		case map[string]any:
			v = x[seg]
		case []any:
			n, err := strconv.Atoi(seg)
			if err != nil || n < 0 || n >= len(x) {
				return nil
			}
			v = x[n]
		default:
			return nil
		}
	}
	return v
}
