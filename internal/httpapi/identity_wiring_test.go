package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identity/token"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// TestIdentityIsExplicit: the API is given its identity store; it does not
// go looking for a database under the domain store, so leaving it out is a
// clear error at construction rather than a silently built second store.
func TestIdentityIsExplicit(t *testing.T) {
	st, err := sqlstore.Open(context.Background(), sqliteDSN(t), sqlstore.Options{})
	must(t, err)
	t.Cleanup(func() { st.Close() })
	_, err = httpapi.New(httpapi.Config{Store: st, Tokens: token.NewIssuer([]byte(strings.Repeat("k", 32)), token.DefaultTTL)})
	if err == nil || !strings.Contains(err.Error(), "Access.Identity is required") {
		t.Fatalf("New without Access.Identity: %v, want an error naming Access.Identity", err)
	}
}
