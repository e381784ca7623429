package manifest

// ValuesEqual reports whether two decoded manifest values (maps with string
// keys, lists, strings, booleans, int64 and float64 numbers, nil) are the
// same document content. Numbers compare by value, so an int64 1 read from
// one file equals a float64 1 built elsewhere; maps compare key for key
// whatever their order. Engines that need more (the diff's quantities and
// redacted secrets, the risk engine's "fields both sides set") layer their
// rules over this one.
func ValuesEqual(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, av := range x {
			bv, ok := y[k]
			if !ok || !ValuesEqual(av, bv) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !ValuesEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case int64:
		switch y := b.(type) {
		case int64:
			return x == y
		case float64:
			return float64(x) == y
		}
		return false
	case float64:
		switch y := b.(type) {
		case int64:
			return x == float64(y)
		case float64:
			return x == y
		}
		return false
	case map[string]string:
		y, ok := b.(map[string]string)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || w != v {
				return false
			}
		}
		return true
	case string, bool, nil:
		return a == b
	}
	return false
}
