// Package quantity reads Kubernetes resource quantities as manifests hold
// them once decoded: a string ("500m", "1Gi") or a YAML number (cpu: 0.5,
// memory: 1073741824). The diff, cost and risk engines all read them this
// one way, so "0.5" and "500m" mean the same everywhere.
package quantity

import (
	"errors"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// ErrNotQuantity is returned for a value that is neither a string nor a
// number. It is a fixed value: callers compare many fields and name the
// field themselves in their own messages.
var ErrNotQuantity = errors.New("not a quantity")

// ErrOutOfRange is returned for a quantity at or beyond 10^40, or written
// with an exponent beyond ±999: apimachinery parses "2e2000000000" (and
// spends minutes rounding "1e-2000000000"), but comparing it with
// anything builds a number of two billion digits, so a manifest could hang
// whatever reads it. Real quantities stop far short (an int64 of exbibytes
// is below 10^38).
var ErrOutOfRange = errors.New("quantity out of range (below 10^40, exponent within ±999)")

// maxExp bounds a quantity's decimal exponent both ways.
const maxExp = 40

// ParseString is resource.ParseQuantity refusing quantities out of range
// (ErrOutOfRange): the one way Capsule reads a quantity string.
func ParseString(s string) (resource.Quantity, error) {
	if hugeExponent(s) {
		return resource.Quantity{}, ErrOutOfRange // apimachinery would round it for ever
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return q, err
	}
	c := q.DeepCopy()
	d := c.AsDec()
	// digits approximates the unscaled value's decimal length from its bit
	// length (log10 2 ≈ 0.30103), cheaply and never short by more than one.
	digits := int64(d.UnscaledBig().BitLen())*30103/100000 + 1
	if scale := int64(d.Scale()); scale > maxExp || digits-scale > maxExp {
		return resource.Quantity{}, ErrOutOfRange
	}
	return q, nil
}

// hugeExponent reports whether s ends in a decimal exponent ("e-2000000000")
// beyond any quantity's: apimachinery itself then spends minutes in
// rounding before the range check could see the value.
func hugeExponent(s string) bool {
	i := strings.LastIndexAny(s, "eE")
	if i < 0 || i == len(s)-1 {
		return false // no exponent, or the E (exa) suffix
	}
	exp := strings.TrimLeft(s[i+1:], "+-")
	if exp == "" || strings.Trim(exp, "0123456789") != "" {
		return false // not an exponent ("Ei"): ParseQuantity judges it
	}
	exp = strings.TrimLeft(exp, "0")
	return len(exp) > 3 // above 999: far beyond maxExp, however the number is written
}

// Parse reads a quantity written as a string or a number.
func Parse(v any) (resource.Quantity, error) {
	switch x := v.(type) {
	case string:
		return ParseString(x)
	case int64:
		return *resource.NewQuantity(x, resource.DecimalSI), nil
	case int:
		return *resource.NewQuantity(int64(x), resource.DecimalSI), nil
	case int32:
		return *resource.NewQuantity(int64(x), resource.DecimalSI), nil
	case float64:
		return ParseString(strconv.FormatFloat(x, 'f', -1, 64))
	}
	return resource.Quantity{}, ErrNotQuantity
}

// Milli returns the value of a quantity in milli-units (millicores,
// millibytes), so CPU and memory share one exact integer form; ok is false
// when it does not parse.
func Milli(v any) (int64, bool) {
	q, err := Parse(v)
	if err != nil {
		return 0, false
	}
	return q.MilliValue(), true
}

// Equal reports whether a and b are quantities of the same value
// ("1Gi" and "1024Mi", 0.5 and "500m"); false when either does not parse.
func Equal(a, b any) bool {
	qa, errA := Parse(a)
	qb, errB := Parse(b)
	return errA == nil && errB == nil && qa.Cmp(qb) == 0
}
