package billing

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
)

// jsonColumns are the flattened names a newline-delimited JSON export
// (GCP's BigQuery export) is read into: nested objects become
// "parent.child", arrays and deeper objects stay JSON text, as the CSV
// export of the same table spells them.
var jsonColumns = []string{
	"billing_account_id", "service.id", "service.description", "sku.id", "sku.description",
	"usage_start_time", "usage_end_time", "project.id", "project.name", "project.number",
	"labels", "system_labels", "location.location", "location.region", "location.zone",
	"resource.name", "resource.global_name", "cost", "currency", "currency_conversion_rate",
	"usage.amount", "usage.unit", "usage.amount_in_pricing_units", "usage.pricing_unit",
	"credits", "invoice.month", "cost_type", "cost_at_list", "price.effective_price",
	"transaction_type", "seller_name", "export_time", "tags",
}

// newJSONLines reads one JSON object per line.
func newJSONLines(br *bufio.Reader) (*header, func() (int, []string, error)) {
	h := newHeader(jsonColumns)
	line := 0
	fields := make([]string, len(jsonColumns))
	next := func() (int, []string, error) {
		for {
			b, err := br.ReadBytes('\n')
			if len(b) == 0 && err != nil {
				return 0, nil, err
			}
			line++
			b = bytes.TrimSpace(b)
			if len(b) == 0 {
				if err != nil {
					return 0, nil, err
				}
				continue
			}
			for i := range fields {
				fields[i] = ""
			}
			if msg := flattenJSON(b, h, fields); msg != "" {
				return 0, nil, &sourceError{line: line, msg: msg}
			}
			return line, fields, nil
		}
	}
	return h, next
}

func flattenJSON(b []byte, h *header, fields []string) string {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return "not a JSON object: " + strings.TrimPrefix(err.Error(), "json: ")
	}
	for k, v := range obj {
		if i, ok := h.exact[k]; ok {
			fields[i] = jsonText(v)
			continue
		}
		var inner map[string]json.RawMessage
		if len(v) == 0 || v[0] != '{' || json.Unmarshal(v, &inner) != nil {
			continue
		}
		for ik, iv := range inner {
			if i, ok := h.exact[k+"."+ik]; ok {
				fields[i] = jsonText(iv)
			}
		}
	}
	return ""
}

// jsonText is a JSON value as a CSV cell: strings unquoted, null empty,
// numbers as written (exact), arrays and objects as JSON.
func jsonText(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0 || string(v) == "null":
		return ""
	case v[0] == '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	return string(v)
}
