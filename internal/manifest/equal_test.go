package manifest

import "testing"

func TestValuesEqual(t *testing.T) {
	m := func(kv ...any) map[string]any {
		out := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	for _, c := range []struct {
		a, b any
		want bool
	}{
		{int64(1), float64(1), true},
		{m("a", []any{int64(1), "x"}, "b", nil), m("b", nil, "a", []any{float64(1), "x"}), true},
		{m("a", int64(1)), m("a", int64(1), "b", nil), false},
		{[]any{"a", "b"}, []any{"b", "a"}, false},
		{"1", int64(1), false},
		{true, "true", false},
		{nil, nil, true},
		{map[string]string{"k": "v"}, map[string]string{"k": "v"}, true},
		{m("a", m("b", false)), m("a", m("b", true)), false},
	} {
		if got := ValuesEqual(c.a, c.b); got != c.want {
			t.Errorf("ValuesEqual(%#v, %#v) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := ValuesEqual(c.b, c.a); got != c.want {
			t.Errorf("ValuesEqual is not symmetric on %#v, %#v", c.b, c.a)
		}
	}
}
