package capsule

import (
	"errors"
	"strings"
	"testing"
)

// TestEnvironmentClusterReference: a cluster ID is accepted by Validate
// (the store checks it names a cluster of the organization); only a value
// that cannot be an ID is refused, by name.
func TestEnvironmentClusterReference(t *testing.T) {
	e := &Environment{ProjectID: "p", Name: "prod", Kind: EnvProduction, ClusterID: "0191d6f4-0000-7000-8000-000000000001"}
	if err := e.Validate(); err != nil {
		t.Fatalf("with a cluster ID: %v", err)
	}
	e.ClusterID = strings.Repeat("x", 65)
	err := e.Validate()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Validate = %v, want a validation error", err)
	}
	fields, _ := ce.Details["fields"].([]FieldError)
	if len(fields) != 1 || fields[0].Field != "clusterId" {
		t.Fatalf("Validate fields = %+v, want a clusterId error", fields)
	}
}
