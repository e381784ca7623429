package httpapi

import (
	"errors"
	"net/url"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/events"
)

// FuzzEventFilter: any query either becomes a filter of canonical IDs and
// known types, or is refused with INVALID_PARAMETER naming a parameter.
func FuzzEventFilter(f *testing.F) {
	for _, seed := range []string{"", "deployment=01a25216-4448-762d-9f44-75e5c76e4bd9", "type=log.stdout&type=log.stderr",
		"service=01A25216-4448-762D-9F44-75E5C76E4BD9&environment=x", "token=abc", "deployment=%zz", "type=stream.lagged",
		"deployment={01a25216-4448-762d-9f44-75e5c76e4bd9}", "deployment=urn:uuid:01a25216-4448-762d-9f44-75e5c76e4bd9"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		flt, err := eventFilter(q)
		if err != nil {
			var ce *capsule.Error
			if !errors.As(err, &ce) || ce.Code != capsule.CodeInvalidParameter {
				t.Fatalf("query %q refused with %v, want INVALID_PARAMETER", raw, err)
			}
			return
		}
		for _, list := range [][]string{flt.Deployments, flt.Services, flt.Environments} {
			for _, id := range list {
				if u, err := uuid.Parse(id); err != nil || u.String() != id {
					t.Fatalf("query %q gave a non-canonical ID %q", raw, id)
				}
			}
		}
		for _, typ := range flt.Types {
			if !slices.Contains(events.Types, typ) {
				t.Fatalf("query %q gave type %q", raw, typ)
			}
		}
	})
}
