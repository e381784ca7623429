package capsule

import (
	"errors"
	"strings"
	"testing"
)

func TestClusterValidate(t *testing.T) {
	c := &Cluster{OrganizationID: "o", Name: "prod-eu", CloudProvider: "aws", Region: "eu-west-1"}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Status != ClusterRegistered || c.AgentStatus != AgentNone || c.Metadata == nil || c.HasCredential {
		t.Fatalf("defaults: %+v", c)
	}
	c.CredentialSecretID = "s"
	if err := c.Validate(); err != nil || c.Status != ClusterConnected || !c.HasCredential {
		t.Fatalf("with a credential: %v %+v", err, c)
	}
	bad := &Cluster{Name: "Prod EU", CloudProvider: "ibm", Region: strings.Repeat("r", 64),
		Metadata: map[string]string{"": "x", "team": strings.Repeat("v", 257)}}
	err := bad.Validate()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Validate = %v", err)
	}
	var names []string
	for _, f := range ce.Details["fields"].([]FieldError) {
		names = append(names, f.Field)
	}
	got := strings.Join(names, ",")
	for _, want := range []string{"organization_id", "name", "cloud_provider", "region", "metadata", "metadata.team"} {
		if !strings.Contains(","+got+",", ","+want+",") {
			t.Errorf("fields %s do not name %s", got, want)
		}
	}
}
