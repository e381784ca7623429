package capsule

import (
	"errors"
	"strings"
	"testing"
)

// TestEnvironmentRefusesClusterReference: no cluster can be registered yet,
// so any cluster ID refers to nothing and is refused by name.
func TestEnvironmentRefusesClusterReference(t *testing.T) {
	e := &Environment{ProjectID: "p", Name: "prod", Kind: EnvProduction, ClusterID: "does-not-exist"}
	err := e.Validate()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Validate = %v, want a validation error", err)
	}
	fields, _ := ce.Details["fields"].([]FieldError)
	if len(fields) != 1 || fields[0].Field != "clusterId" || !strings.Contains(fields[0].Message, "does-not-exist") {
		t.Fatalf("Validate fields = %+v, want a clusterId error naming the reference", fields)
	}
	e.ClusterID = ""
	if err := e.Validate(); err != nil {
		t.Fatalf("without a cluster: %v", err)
	}
}
