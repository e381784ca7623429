package billing

import (
	"fmt"
	"sort"
	"strings"
)

// A Format is one provider's billing file layout. Adding a format is adding
// one file that registers it.
type Format interface {
	// Name is the --format value: focus, aws-cur, gcp, azure.
	Name() string
	// Detect reports whether a file with this header is in this format.
	Detect(h *header) bool
	// Mapper prepares the mapping of this header's rows onto records, or
	// names the required columns the header lacks.
	Mapper(h *header) (mapper, error)
}

// A mapper fills rec from one row's fields. rec arrives zeroed except for
// its Line.
type mapper interface {
	mapRow(fields []string, rec *Record) *fieldError
}

var formats []Format

func register(f Format) { formats = append(formats, f) }

// FormatNames lists the registered formats, sorted.
func FormatNames() []string {
	var n []string
	for _, f := range formats {
		n = append(n, f.Name())
	}
	sort.Strings(n)
	return n
}

func formatByName(name string) (Format, error) {
	for _, f := range formats {
		if f.Name() == name {
			return f, nil
		}
	}
	return nil, fmt.Errorf("unknown billing format %q (want %s)", name, strings.Join(FormatNames(), "|"))
}

// detectFormat picks the format of a header, in registration order (FOCUS
// first: a FOCUS file with provider x_ columns is still FOCUS).
func detectFormat(h *header) (Format, error) {
	for _, name := range []string{"focus", "aws-cur", "gcp", "azure"} {
		f, err := formatByName(name)
		if err == nil && f.Detect(h) {
			return f, nil
		}
	}
	seen := h.names
	more := ""
	if len(seen) > 20 {
		seen, more = seen[:20], fmt.Sprintf(" and %d more", len(h.names)-20)
	}
	return nil, fmt.Errorf("unrecognized billing file: columns seen: %s%s (FOCUS needs BilledCost and ChargePeriodStart; "+
		"AWS CUR line_item_unblended_cost and line_item_usage_start_date; GCP cost and usage_start_time; "+
		"Azure CostInBillingCurrency or PreTaxCost and Date); use --format to choose", quoteList(seen), more)
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", clip(x))
	}
	return strings.Join(q, ", ")
}

// missing returns an error naming the columns of required (each a list of
// accepted spellings) that h lacks.
func missing(format string, h *header, required ...[]string) error {
	var miss []string
	for _, alts := range required {
		if h.col(alts...) < 0 {
			miss = append(miss, strings.Join(alts, " or "))
		}
	}
	if len(miss) == 0 {
		return nil
	}
	return fmt.Errorf("%s file lacks required columns: %s", format, strings.Join(miss, "; "))
}
