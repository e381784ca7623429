package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/httpapi"
)

// TestEveryCodeHasAStatus walks the domain's code table: each code maps to
// one HTTP status, the kind's unless HTTP gives the code its own.
func TestEveryCodeHasAStatus(t *testing.T) {
	own := map[string]int{capsule.CodeMethodNotAllowed: http.StatusMethodNotAllowed, capsule.CodeHeadersTooLarge: http.StatusRequestHeaderFieldsTooLarge}
	byKind := map[capsule.Kind]int{capsule.KindInvalid: 400, capsule.KindNotFound: 404, capsule.KindConflict: 409,
		capsule.KindPrecondition: 412, capsule.KindUnauthenticated: 401, capsule.KindForbidden: 403, capsule.KindNotImplemented: 501,
		capsule.KindTooLarge: 413, capsule.KindRateLimited: 429, capsule.KindUnavailable: 503, capsule.KindInternal: 500}
	for _, c := range capsule.Codes() {
		want, ok := own[c.Code]
		if !ok {
			want = byKind[c.Kind]
		}
		if got := httpapi.StatusOf(&capsule.Error{Kind: c.Kind, Code: c.Code}); got != want || want == 0 {
			t.Errorf("%s (kind %d): status %d, want %d", c.Code, c.Kind, got, want)
		}
	}
}

// TestOpenAPIListsEveryCode: the document's error code enumeration is the
// domain's table, so it cannot drift from the codes the API answers.
func TestOpenAPIListsEveryCode(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	status, body := send(t, e, "GET", "/api/documentation.json", nil, nil)
	if status != http.StatusOK {
		t.Fatalf("document: %d", status)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	must(t, json.Unmarshal(body, &doc))
	got := doc.Components.Schemas["ErrorDetail"].Properties["code"].Enum
	var want []string
	for _, c := range capsule.Codes() {
		want = append(want, c.Code)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ErrorDetail.code enum = %v, want the table %v", got, want)
	}
}
