package httpapi_test

import (
	"context"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestDocumentIsValidOpenAPI checks the generated document against the
// OpenAPI 3 specification with kin-openapi (a second implementation), so a
// malformed schema or parameter cannot reach client generators.
func TestDocumentIsValidOpenAPI(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	r := e.do(t, call{method: "GET", path: "/api/documentation.json", token: "-"})
	doc, err := openapi3.NewLoader().LoadFromData(r.raw)
	if err != nil {
		t.Fatalf("loading the document: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI 3: %v", err)
	}
}
