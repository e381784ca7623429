package httpapi_test

import (
	"net/http"
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
