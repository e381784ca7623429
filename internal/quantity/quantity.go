// Package quantity reads Kubernetes resource quantities as manifests hold
// them once decoded: a string ("500m", "1Gi") or a YAML number (cpu: 0.5,
// memory: 1073741824). The diff, cost and risk engines all read them this
// one way, so "0.5" and "500m" mean the same everywhere.
package quantity

import (
	"errors"
	"strconv"

	"k8s.io/apimachinery/pkg/api/resource"
)

// ErrNotQuantity is returned for a value that is neither a string nor a
// number. It is a fixed value: callers compare many fields and name the
// field themselves in their own messages.
var ErrNotQuantity = errors.New("not a quantity")

// Parse reads a quantity written as a string or a number.
func Parse(v any) (resource.Quantity, error) {
	switch x := v.(type) {
	case string:
		return resource.ParseQuantity(x)
	case int64:
		return *resource.NewQuantity(x, resource.DecimalSI), nil
	case int:
		return *resource.NewQuantity(int64(x), resource.DecimalSI), nil
	case int32:
		return *resource.NewQuantity(int64(x), resource.DecimalSI), nil
	case float64:
		return resource.ParseQuantity(strconv.FormatFloat(x, 'f', -1, 64))
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
