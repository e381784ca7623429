// Package httpapi is Capsule's REST API over net/http: the route table
// (routes.go), one file per resource, the middleware chain, the one table that
// maps domain error kinds to HTTP statuses, and the OpenAPI document generated
// from the route table.
//
// Design decisions:
//   - Every invalid input answers 400: malformed JSON (INVALID_JSON), unknown
//     fields (UNKNOWN_FIELD), trailing data, bad query parameters and failed
//     validation (VALIDATION_FAILED, details.fields names every bad field).
//     capsule.KindInvalid maps to one status, so clients branch on the code.
//   - POST ignores server-owned fields in the body (id, version, timestamps,
//     service status and revision). PUT replaces the mutable fields; parent
//     references (organizationId, projectId) cannot change (400 when they
//     differ). PUT needs the stored version, in the body's "version" (409
//     VERSION_CONFLICT when stale) or as If-Match: "<version>" (412
//     PRECONDITION_FAILED when stale); without either it is a 400, because an
//     unconditional update is exactly the lost update the API prevents.
//   - Tenancy: a resource of an organization the caller is not a member of
//     answers 404, as if it did not exist (GitHub does the same), so IDs of
//     other tenants cannot be probed. A list filter naming such an
//     organization or project answers an empty list, as a filter matching
//     nothing does (kubectl's label selectors behave the same).
//   - Access tokens are stateless JWTs valid for 15 minutes; logout revokes the
//     refresh-token family, so the access token lives until it expires.
//   - Over SQLite (the only writer) list responses and memberships are
//     served from a read cache tagged with a store generation that every
//     write bumps (cache.go, genstore.go), plus a 2 s TTL for writes it cannot
//     see; PostgreSQL, which other replicas may write, is never cached.
//   - Route-level permissions (e.g. "project:edit") are declared in the route
//     table and enforced by the access layer (access*.go: RBAC, API keys,
//     rate limits, audit), which wraps every route's handler.
package httpapi
