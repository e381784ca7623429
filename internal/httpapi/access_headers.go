package httpapi

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"

	"github.com/usecapsule/capsule"
)

// API responses are data, never documents: nothing may run or be framed.
const apiCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"

// uiCSP allows the Swagger UI page its own assets and exactly its one
// inline script (by hash), and still forbids framing.
var uiCSP = "default-src 'self'; script-src 'self' '" + inlineScriptHash(swaggerHTML) +
	"'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// inlineScriptHash returns the CSP source of the first inline <script> of page.
func inlineScriptHash(page string) string {
	_, rest, ok := strings.Cut(page, "<script>")
	if !ok {
		return "none"
	}
	body, _, _ := strings.Cut(rest, "</script>")
	sum := sha256.Sum256([]byte(body))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// setSecurityHeaders sets the headers every response carries: no MIME
// sniffing, no framing, no referrer, a CSP (strict for the API, allowing
// the documentation UI its own assets), no caching (except for the
// documentation), and HSTS when served over TLS.
func setSecurityHeaders(w http.ResponseWriter, r *http.Request, rt Route) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if strings.HasPrefix(rt.Path, "/api/documentation") && rt.ContentType == "text/html" {
		h.Set("Content-Security-Policy", uiCSP)
	} else {
		h.Set("Content-Security-Policy", apiCSP)
	}
	// Answers hold tenants' data and tokens: no browser or proxy cache may
	// keep them. Only the documentation, the same for everyone, chooses its
	// own caching.
	if strings.HasPrefix(rt.Path, "/api/documentation") {
		h.Del("Cache-Control")
	} else {
		h.Set("Cache-Control", "no-store")
	}
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
}

// checkOrigin refuses state-changing requests a browser sends from another
// site. Capsule authenticates with headers (Authorization, X-API-Key), never
// with cookies, so classic CSRF cannot ride on ambient credentials; this is
// the defence in depth that also covers login CSRF and any future cookie
// session: a write whose Origin (or Sec-Fetch-Site) names another site gets
// 403. CLIs and SDKs send neither header and are unaffected.
func checkOrigin(r *http.Request) error {
	if !isWrite(r.Method) {
		return nil
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return csrfError("the request comes from another site")
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if origin == "null" || err != nil || !strings.EqualFold(u.Host, r.Host) {
		return csrfError("Origin " + clip(origin, 100) + " is not this server")
	}
	return nil
}

func csrfError(msg string) error {
	return capsule.Errorf(capsule.KindForbidden, capsule.CodeCrossSiteRequest, "%s: cross-site writes are refused", msg)
}
