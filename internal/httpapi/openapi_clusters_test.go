package httpapi_test

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestDocumentDescribesClusters checks the clusters API as documented: the
// snake_case bodies the server accepts validate against the closed
// request schemas, and the cluster answer has its fields and nothing of
// the credential.
func TestDocumentDescribesClusters(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	r := e.do(t, call{method: "GET", path: "/api/documentation.json", token: "-"})
	doc, err := openapi3.NewLoader().LoadFromData(r.raw)
	if err != nil {
		t.Fatalf("loading the document: %v", err)
	}
	closed := func(op *openapi3.Operation) *openapi3.Schema {
		t.Helper()
		if op == nil || op.RequestBody == nil {
			t.Fatal("operation without a request body")
		}
		s := *op.RequestBody.Value.Content.Get("application/json").Schema.Value
		no := false
		s.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
		return &s
	}
	clusters, item := doc.Paths.Find("/api/v1/clusters"), doc.Paths.Find("/api/v1/clusters/{id}")
	cred := doc.Paths.Find("/api/v1/clusters/{id}/credential")
	if clusters == nil || item == nil || cred == nil || item.Patch == nil || cred.Put == nil || cred.Delete == nil {
		t.Fatal("the document lacks cluster operations")
	}
	for _, c := range []struct {
		schema *openapi3.Schema
		body   map[string]any
	}{
		{closed(clusters.Post), map[string]any{"organization_id": "o", "name": "prod", "cloud_provider": "aws", "region": "eu-west-1",
			"metadata": map[string]any{"team": "core"}, "credential": map[string]any{"kubeconfig": "apiVersion: v1", "context": "prod"}}},
		{closed(item.Patch), map[string]any{"region": "eu-central-1", "version": 2}},
		{closed(cred.Put), map[string]any{"kubeconfig": "apiVersion: v1", "context": "prod"}},
		{closed(cred.Put), map[string]any{"server": "https://10.0.0.1:6443", "certificate_authority_data": "LS0t", "token": "t"}},
	} {
		if err := c.schema.VisitJSON(c.body); err != nil {
			t.Errorf("a real body %v does not match its documented schema: %v", c.body, err)
		}
	}
	resp := item.Get.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	for _, f := range []string{"id", "name", "cloud_provider", "region", "metadata", "status", "agent_status", "organization_id",
		"created_at", "updated_at", "has_credential", "server_version", "checked_at"} {
		if resp.Properties[f] == nil {
			t.Errorf("the documented cluster lacks %s", f)
		}
	}
	for _, f := range []string{"credential", "kubeconfig", "token", "credential_secret_id", "CredentialSecretID"} {
		if resp.Properties[f] != nil {
			t.Errorf("the documented cluster has %s", f)
		}
	}
}
