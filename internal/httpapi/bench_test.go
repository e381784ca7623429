package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/ratelimit"
)

// unlimited lifts the per-user and per-IP rate limits, which would
// otherwise answer 429 long before a benchmark ends.
func unlimited(c *httpapi.Config) {
	c.Access.UserRate = ratelimit.Rate{PerMinute: 1e9, Burst: 1e6}
	c.Access.IPRate = ratelimit.Rate{PerMinute: 1e9, Burst: 1e6}
}

// BenchmarkListProjects measures the hot read path in process: an
// authenticated GET /api/v1/projects answering 50 projects (JWT check,
// membership query, list query, JSON encoding).
func BenchmarkListProjects(b *testing.B) {
	e := newEnv(b, sqliteDSN(b), unlimited)
	for i := range 50 {
		r := e.do(b, call{method: "POST", path: "/api/v1/projects", body: fmt.Sprintf(`{"name":"Project %d","slug":"project-%d","repository":{"url":"https://github.com/acme/p%d"}}`, i, i, i)})
		if r.status != 201 {
			b.Fatalf("seeding: %d %s", r.status, r.raw)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/api/v1/projects", nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		rec := httptest.NewRecorder()
		e.api.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkCreateService measures the hot write path in process: POST
// /api/v1/services (validation, a transaction writing the service and its
// revision 1).
func BenchmarkCreateService(b *testing.B) {
	e := newEnv(b, sqliteDSN(b), unlimited)
	r := e.do(b, call{method: "POST", path: "/api/v1/projects", body: `{"name":"P","slug":"p"}`})
	if r.status != 201 {
		b.Fatalf("seeding: %d %s", r.status, r.raw)
	}
	project := r.json["id"].(string)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		i++
		body := fmt.Sprintf(`{"projectId":%q,"name":"svc-%d","type":"web","configuration":{"env":{"PORT":"8080"},"networking":{"port":8080}}}`, project, i)
		req := httptest.NewRequest("POST", "/api/v1/services", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.token)
		rec := httptest.NewRecorder()
		e.api.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
