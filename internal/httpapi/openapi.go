package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/usecapsule/capsule"
)

// documents holds the OpenAPI document, rendered once at start-up.
type documents struct {
	doc        map[string]any
	json, yaml []byte
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z]+)\}`)

// errorResponses are documented on every operation that can fail that way.
var errorStatuses = map[int]string{
	400: "Invalid input: malformed JSON, unknown field, bad parameter, failed validation (details.fields names every bad field) or path, query and body naming different scopes (SCOPE_MISMATCH)",
	401: "Missing, invalid or expired bearer token",
	404: "Not found, or not in one of the caller's organizations",
	409: "Conflict: duplicate slug or name, or a stale version (VERSION_CONFLICT)",
	412: "If-Match does not match the current ETag (PRECONDITION_FAILED)",
	413: "Request body over the limit (PAYLOAD_TOO_LARGE)",
	500: "Internal error; details.requestId identifies the logged cause",
	501: "Not implemented yet (NOT_IMPLEMENTED)",
	503: "Not ready (UNAVAILABLE)",
}

// listErrorCodes documents the error shape's code as the enumeration of
// the domain's code table, so clients see every code the API can answer.
func listErrorCodes(detail any) {
	obj, _ := detail.(map[string]any)
	props, _ := obj["properties"].(map[string]any)
	if props == nil {
		return
	}
	var names []string
	for _, c := range capsule.Codes() {
		names = append(names, c.Code)
	}
	props["code"] = map[string]any{"type": "string", "enum": names}
}

// newDocuments generates the OpenAPI 3 document from the route table.
func newDocuments(routes []Route) (*documents, error) {
	s := &schemas{defs: map[string]any{}}
	errRef := s.ref(reflect.TypeOf(ErrorBody{}))
	listErrorCodes(s.defs["ErrorDetail"])
	paths := map[string]any{}
	for _, rt := range routes {
		p := pathParam.ReplaceAllString(rt.Path, "{$1}")
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(rt.Method)] = operation(s, rt, errRef)
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Capsule API", "version": "v1",
			"description": "Capsule control-plane API. Sign in with `POST /api/v1/auth/login` and send the access token as `Authorization: Bearer TOKEN` (or an API key as `X-API-Key: cap_...`). Every error has the shape `{\"error\":{\"code\",\"message\",\"details\"}}`."},
		"paths": paths,
		"components": map[string]any{
			"schemas":         s.defs,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
		},
	}
	d := &documents{doc: doc}
	var err error
	if d.json, err = json.MarshalIndent(doc, "", "  "); err != nil {
		return nil, fmt.Errorf("openapi: encoding JSON: %w", err)
	}
	if d.yaml, err = yaml.Marshal(doc); err != nil {
		return nil, fmt.Errorf("openapi: encoding YAML: %w", err)
	}
	return d, nil
}

func operation(s *schemas, rt Route, errRef map[string]any) map[string]any {
	op := map[string]any{
		"summary":     rt.Summary,
		"operationId": operationID(rt),
		"tags":        []string{rt.Tag},
	}
	if rt.Permission != "" {
		op["x-capsule-permission"] = rt.Permission
	}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	for _, q := range rt.Query {
		sch := map[string]any{"type": q.Type}
		if len(q.Enum) > 0 {
			sch["enum"] = q.Enum
		}
		params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": sch})
	}
	if rt.Method == "PUT" {
		params = append(params, map[string]any{"name": "If-Match", "in": "header", "description": "the ETag of the version the update is based on", "schema": map[string]any{"type": "string"}})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if rt.Request != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": s.ref(reflect.TypeOf(rt.Request))}}}
	}
	responses := map[string]any{}
	if rt.WebSocket {
		op["description"] = "A WebSocket (RFC 6455): connect with Upgrade: websocket and the subprotocol " + EventsProtocol +
			". Authenticate with the Authorization header, or (browsers) by also offering the subprotocol bearer.<access token or API key>; " +
			"the server selects " + EventsProtocol + " and never echoes the credential. Each text message is one event (the 101 schema). " +
			"A plain GET answers 400."
	}
	if rt.NotImplemented {
		op["description"] = "Not implemented yet: always answers 501 with code NOT_IMPLEMENTED (404 for an unknown ID)."
	} else {
		responses[fmt.Sprint(rt.Status)] = successResponse(s, rt)
	}
	for _, code := range errorCodes(rt) {
		responses[fmt.Sprint(code)] = map[string]any{"description": errorStatuses[code],
			"content": map[string]any{"application/json": map[string]any{"schema": errRef}}}
	}
	op["responses"] = responses
	if rt.Public {
		op["security"] = []any{}
	} else {
		op["security"] = []any{map[string]any{"bearer": []string{}}}
	}
	return op
}

func successResponse(s *schemas, rt Route) map[string]any {
	resp := map[string]any{"description": http.StatusText(rt.Status)}
	switch {
	case rt.Response != nil:
		resp["content"] = map[string]any{"application/json": map[string]any{"schema": s.ref(reflect.TypeOf(rt.Response))}}
	case rt.ContentType != "":
		resp["content"] = map[string]any{rt.ContentType: map[string]any{"schema": map[string]any{"type": "string"}}}
	case rt.Status != http.StatusNoContent:
		resp["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
	}
	return resp
}

// errorCodes lists the error statuses a route can answer.
func errorCodes(rt Route) []int {
	var codes []int
	if rt.Request != nil || len(rt.Query) > 0 {
		codes = append(codes, 400)
	}
	if !rt.Public {
		codes = append(codes, 401)
	}
	if strings.Contains(rt.Path, "{") {
		codes = append(codes, 404)
	}
	if rt.Method == "POST" || rt.Method == "PUT" {
		codes = append(codes, 409)
	}
	if rt.Method == "PUT" {
		codes = append(codes, 412)
	}
	if rt.Request != nil {
		codes = append(codes, 413)
	}
	codes = append(codes, 500)
	if rt.NotImplemented {
		codes = append(codes, 501)
	}
	if rt.Path == "/readyz" {
		codes = append(codes, 503)
	}
	return codes
}

// operationID makes a stable camelCase ID such as getApiV1ProjectsById.
func operationID(rt Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, seg := range strings.Split(strings.Trim(rt.Path, "/"), "/") {
		if m := pathParam.FindStringSubmatch(seg); m != nil {
			seg = "By" + strings.ToUpper(m[1][:1]) + m[1][1:]
		}
		seg = strings.NewReplacer(".", "", "-", "").Replace(seg)
		if seg != "" {
			b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
		}
	}
	return b.String()
}

// Document returns the generated OpenAPI document as a generic value.
func (a *API) Document() map[string]any { return a.doc.doc }

func (a *API) serveDocument(format string) handlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) error {
		if format == "yaml" {
			w.Header().Set("Content-Type", "application/yaml")
			_, _ = w.Write(a.doc.yaml)
			return nil
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(a.doc.json)
		return nil
	}
}
