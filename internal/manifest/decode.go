package manifest

import (
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
	kjson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// decode turns one YAML document into the generic value the API machinery
// would see: maps with string keys, integers as int64, other numbers as
// float64. It gives exactly what converting to JSON and decoding that JSON
// (sigs.k8s.io/yaml, then apimachinery's int-preserving decoder) gives,
// without the JSON round trip that took most of a preview's loading time
// and allocations. Anything the direct conversion does not cover (invalid
// UTF-8, NaN, exotic scalar types) and every parse error goes the round
// trip way, so values and error messages stay those of the reference path.
func decode(body []byte) (any, error) {
	var raw any
	if err := yamlv2.Unmarshal(body, &raw); err == nil {
		if err := ambiguousKeys(raw); err != nil {
			return nil, err
		}
		if v, ok := jsonable(raw); ok {
			return v, nil
		}
	}
	return decodeViaJSON(body)
}

// errAmbiguousKey: two keys of one mapping that JSON (and so the API
// server) would see as the same key, such as 1 and 1.0, or 1 and "1".
// Which value the JSON conversion keeps depends on Go's map order, so
// rather than pick one at random the document is refused, naming the key.
type errAmbiguousKey struct {
	key  string
	a, b any
}

func (e errAmbiguousKey) Error() string {
	return fmt.Sprintf("mapping key %q is written twice (as %#v and %#v); which value counts would be undefined", e.key, e.a, e.b)
}

// ambiguousKeys finds the first mapping in v with two keys that convert to
// the same JSON key (the conversion of sigs.k8s.io/yaml).
func ambiguousKeys(v any) error {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if err := ambiguousKeys(e); err != nil {
				return err
			}
		}
	case map[any]any:
		var seen map[string]any
		for k, e := range x {
			if _, plain := k.(string); !plain || seen != nil {
				if seen == nil {
					seen = make(map[string]any, len(x))
					for k2 := range x {
						if s, ok := k2.(string); ok {
							seen[s] = k2
						}
					}
				}
				if ks, ok := jsonKey(k); ok {
					if prev, dup := seen[ks]; dup && prev != k {
						return errAmbiguousKey{key: ks, a: prev, b: k}
					}
					seen[ks] = k
				}
			}
			if err := ambiguousKeys(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonKey is the JSON key sigs.k8s.io/yaml makes of a non-string YAML key.
func jsonKey(k any) (string, bool) {
	switch x := k.(type) {
	case string:
		return x, true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 32)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		return s, true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// errJSONDecode marks a failure of the second (JSON) step, reported as
// invalid YAML with the document's line rather than as a YAML syntax error.
type errJSONDecode struct{ err error }

func (e errJSONDecode) Error() string { return e.err.Error() }

func decodeViaJSON(body []byte) (any, error) {
	js, err := yaml.YAMLToJSON(body)
	if err != nil {
		return nil, err
	}
	var v any
	if err := kjson.Unmarshal(js, &v); err != nil {
		return nil, errJSONDecode{err}
	}
	return v, nil
}

// jsonable converts a decoded YAML value; ok is false for anything whose
// JSON round trip it does not reproduce exactly.
func jsonable(v any) (any, bool) {
	switch x := v.(type) {
	case nil, bool:
		return x, true
	case string:
		return x, utf8.ValidString(x) // JSON would replace invalid bytes
	case int:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		if x <= math.MaxInt64 {
			return int64(x), true
		}
		return nil, false
	case float64:
		return number(x)
	case time.Time:
		return nil, false
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, ok := jsonable(e)
			if !ok {
				return nil, false
			}
			out[i] = c
		}
		return out, true
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			key, ok := k.(string)
			if !ok {
				return nil, false // int, float or bool keys: rare, left to the round trip
			}
			c, ok := jsonable(e)
			if !ok {
				return nil, false
			}
			out[key] = c
		}
		return out, true
	}
	return nil, false
}

// number reproduces a float's JSON round trip: encoding/json writes a whole
// number without a fraction, and the int-preserving decoder reads that back
// as an int64; below 2^53 that is the float's exact value.
func number(f float64) (any, bool) {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return nil, false // JSON cannot encode it: the round trip reports the error
	case f == math.Trunc(f) && math.Abs(f) < 1<<53:
		return int64(f), true
	case f == math.Trunc(f):
		// Beyond 2^53 JSON writes the shortest decimal that reads back as
		// the same float, not the float's exact integer value.
		return nil, false
	}
	return f, true
}
