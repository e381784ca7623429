package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/rbac"
)

// TestAccessChangesInvalidateCaches: a role binding or custom role removed
// through the identity store (not through an API route) stops granting
// list access on the very next request, although the caches in front of
// the store would keep the old grant for seconds (the read cache's TTL is
// raised to an hour so only invalidation can clear it).
func TestAccessChangesInvalidateCaches(t *testing.T) {
	tm := newTeam(t, sqliteDSN(t), func(c *httpapi.Config) { c.CacheTTL = time.Hour })
	f := tm.newFixture(t, "cached")
	ctx := context.Background()
	ids := tm.e.ids
	// The viewer may not read secrets; a project binding to a custom role lets it.
	must(t, ids.CreateCustomRole(ctx, f.org, rbac.Role{Name: "secret-reader", Permissions: []rbac.Permission{rbac.SecretsRead}}, time.Now()))
	bind := func() *identitystore.RoleBinding {
		b := &identitystore.RoleBinding{OrganizationID: f.org, UserID: tm.users[rbac.Viewer], Role: "secret-reader",
			ProjectID: f.project, CreatedBy: tm.users[rbac.Owner], CreatedAt: time.Now()}
		must(t, ids.CreateRoleBinding(ctx, b))
		return b
	}
	viewer := bearer(tm.tokens[rbac.Viewer])
	secrets := "/api/v1/secrets?projectId=" + f.project
	granted := func() (bool, int, []byte) {
		status, body := send(t, tm.e, "GET", secrets, viewer, nil)
		return status == http.StatusOK && listHas(t, body, f.secret), status, body
	}
	if ok, status, body := granted(); ok {
		t.Fatalf("the viewer lists secrets without a binding: %d %s", status, body)
	}
	b := bind()
	if ok, status, body := granted(); !ok {
		t.Fatalf("secrets through the binding: %d %s", status, body)
	}
	must(t, ids.DeleteRoleBinding(ctx, f.org, b.ID))
	if ok, status, body := granted(); ok {
		t.Fatalf("the removed binding still grants the secret list: %d %s", status, body)
	}
	bind()
	if ok, status, body := granted(); !ok {
		t.Fatalf("secrets through the new binding: %d %s", status, body)
	}
	must(t, ids.DeleteCustomRole(ctx, f.org, "secret-reader"))
	if ok, status, body := granted(); ok {
		t.Fatalf("the deleted custom role still grants the secret list: %d %s", status, body)
	}
}

// TestIdentityWritesMoveCacheGeneration: a cached list is not served after
// a write through the identity store, like after a write through the store.
func TestIdentityWritesMoveCacheGeneration(t *testing.T) {
	tm := newTeam(t, sqliteDSN(t), func(c *httpapi.Config) { c.CacheTTL = time.Hour })
	f := tm.newFixture(t, "generation")
	ctx := context.Background()
	viewer := bearer(tm.tokens[rbac.Viewer])
	_, first := send(t, tm.e, "GET", "/api/v1/projects", viewer, nil)
	// A project written behind the API's back is invisible while the list
	// is cached; an identity write must end that.
	_, err := tm.e.st.Database().Exec(ctx, `UPDATE projects SET name = 'renamed' WHERE id = ?`, f.project)
	must(t, err)
	if _, again := send(t, tm.e, "GET", "/api/v1/projects", viewer, nil); string(again) != string(first) {
		t.Fatalf("the list was not cached: %s then %s", first, again)
	}
	must(t, tm.e.ids.DeleteRoleBinding(ctx, f.org, f.binding))
	if _, after := send(t, tm.e, "GET", "/api/v1/projects", viewer, nil); string(after) == string(first) {
		t.Fatalf("a cached list was served after an identity write: %s", after)
	}
}

// listHas reports whether a list response holds an item with this id.
func listHas(t *testing.T, body []byte, id string) bool {
	t.Helper()
	var l struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatalf("list body %s: %v", body, err)
	}
	for _, it := range l.Items {
		if it.ID == id {
			return true
		}
	}
	return false
}
