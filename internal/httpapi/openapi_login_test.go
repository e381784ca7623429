package httpapi_test

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestDocumentDescribesLoginBody checks that the document's LoginRequest is
// the body the server really accepts: the second factor (otp or
// recoveryCode) beside email and password. The API refuses unknown fields,
// so the schema is validated as closed (no additional properties).
func TestDocumentDescribesLoginBody(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	r := e.do(t, call{method: "GET", path: "/api/documentation.json", token: "-"})
	doc, err := openapi3.NewLoader().LoadFromData(r.raw)
	if err != nil {
		t.Fatalf("loading the document: %v", err)
	}
	op := doc.Paths.Find("/api/v1/auth/login").Post
	body := op.RequestBody.Value.Content.Get("application/json").Schema.Value
	closed := *body
	no := false
	closed.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
	for _, v := range []map[string]any{
		{"email": "a@example.com", "password": "correct horse battery"},
		{"email": "a@example.com", "password": "correct horse battery", "otp": "123456"},
		{"email": "a@example.com", "password": "correct horse battery", "recoveryCode": "ABCD-EFGH-IJKL-MNOP"},
	} {
		if err := closed.VisitJSON(v); err != nil {
			t.Errorf("a real login body %v does not match the documented LoginRequest: %v", v, err)
		}
	}
	for _, f := range []string{"otp", "recoveryCode"} {
		p := body.Properties[f]
		if p == nil || !p.Value.Type.Is("string") {
			t.Errorf("LoginRequest.%s: %v, want a string property", f, p)
		}
	}
	for _, f := range body.Required {
		if f != "email" && f != "password" {
			t.Errorf("LoginRequest requires %q; only email and password are required", f)
		}
	}
}
