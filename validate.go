package capsule

import (
	"fmt"
	"regexp"
	"strings"
)

// FieldError names one invalid field of an input.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Validation collects field errors so that one response names every bad field.
type Validation struct {
	fields []FieldError
}

// Add records an invalid field.
func (v *Validation) Add(field, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when nothing was recorded, else a KindInvalid error whose
// Details["fields"] lists every FieldError.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	names := make([]string, len(v.fields))
	for i, f := range v.fields {
		names[i] = f.Field
	}
	return &Error{
		Kind:    KindInvalid,
		Code:    CodeValidation,
		Message: "invalid fields: " + strings.Join(names, ", "),
		Details: map[string]any{"fields": v.fields},
	}
}

var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// IsDNSLabel reports whether s is an RFC 1123 DNS label (as Kubernetes names
// of Services and Namespaces must be): lowercase alphanumerics and '-', at most
// 63 characters, starting and ending with an alphanumeric.
func IsDNSLabel(s string) bool {
	return len(s) <= 63 && dns1123Label.MatchString(s)
}

// checkDNSLabel records an error when value is not a DNS-1123 label.
func (v *Validation) checkDNSLabel(field, value string) {
	switch {
	case value == "":
		v.Add(field, "is required")
	case !IsDNSLabel(value):
		v.Add(field, "%q is not a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters, starting and ending with a letter or digit)", value)
	}
}

// checkOneOf records an error when value is not one of allowed.
func (v *Validation) checkOneOf(field, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	v.Add(field, "%q is not one of %s", value, strings.Join(allowed, ", "))
}

// checkName records an error for an empty or over-long display name.
func (v *Validation) checkName(field, value string) {
	switch {
	case strings.TrimSpace(value) == "":
		v.Add(field, "is required")
	case len(value) > 255:
		v.Add(field, "is longer than 255 characters")
	}
}
