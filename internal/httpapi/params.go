package httpapi

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/usecapsule/capsule"
)

var (
	envKinds     = []string{capsule.EnvDevelopment, capsule.EnvStaging, capsule.EnvProduction, capsule.EnvPreview}
	serviceTypes = []string{capsule.ServiceWeb, capsule.ServiceAPI, capsule.ServiceWorker, capsule.ServiceStatic, capsule.ServiceCron}
)

// pageParam reads limit and cursor; a limit that is not a positive integer is
// a 400 naming it (silently using the default would hide a client bug).
func pageParam(q url.Values) (capsule.Page, error) {
	p := capsule.Page{Cursor: q.Get("cursor")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return p, invalid(capsule.CodeInvalidParameter, "limit", "%q is not a positive integer", s)
		}
		p.Limit = n
	}
	return p.Normalize(), nil
}

// enumParam reads a filter that must be one of allowed when present.
func enumParam(q url.Values, name string, allowed []string) (string, error) {
	s := q.Get(name)
	if s != "" && !slices.Contains(allowed, s) {
		return "", invalid(capsule.CodeInvalidParameter, name, "%q is not one of %s", s, strings.Join(allowed, ", "))
	}
	return s, nil
}

// intParam reads a required positive integer query parameter.
func intParam(q url.Values, name string) (int, error) {
	s := q.Get(name)
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, invalid(capsule.CodeInvalidParameter, name, "%q is not a positive integer", s)
	}
	return n, nil
}

// setETag sets the entity's version as a strong ETag.
func setETag(w http.ResponseWriter, version int64) {
	w.Header().Set("ETag", `"`+strconv.FormatInt(version, 10)+`"`)
}

// checkVersion enforces lost-update protection on PUT. If-Match, when sent,
// must name the stored version (412 otherwise) and stands in for a missing
// body version; the body version must equal the stored one (409 otherwise).
// The store checks the version again atomically, so a race between this check
// and the write is still a 409.
func checkVersion(r *http.Request, entity, id string, stored int64, body *int64) error {
	if im := r.Header.Get("If-Match"); im != "" {
		if !etagMatches(im, stored) {
			return &capsule.Error{Kind: capsule.KindPrecondition, Code: capsule.CodePreconditionFailed,
				Message: entity + " " + strconv.Quote(id) + " does not match If-Match " + im + `: its ETag is "` + strconv.FormatInt(stored, 10) + `"`,
				Details: map[string]any{"currentVersion": stored}}
		}
		if *body == 0 {
			*body = stored
		}
	}
	if *body == 0 {
		return invalid(capsule.CodeValidation, "version", "is required: send the version you read (or If-Match with its ETag) so a concurrent change is not overwritten")
	}
	if *body != stored {
		return capsule.VersionConflict(entity, id, *body, stored)
	}
	return nil
}

// etagMatches evaluates an If-Match header list against a version.
func etagMatches(header string, version int64) bool {
	want := strconv.FormatInt(version, 10)
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" {
			return true
		}
		// If-Match uses the strong comparison (RFC 9110 13.1.1): weak tags never match.
		if strings.HasPrefix(tag, "W/") {
			continue
		}
		if strings.Trim(tag, `"`) == want {
			return true
		}
	}
	return false
}

// sameID rejects a body whose id differs from the URL's.
func sameID(bodyID, pathID string) error {
	if bodyID != "" && bodyID != pathID {
		return invalid(capsule.CodeValidation, "id", "%q does not match the id in the URL (%q)", bodyID, pathID)
	}
	return nil
}

// immutable rejects a change of a parent reference on PUT.
func immutable(field, body, stored string) error {
	if body != "" && body != stored {
		return invalid(capsule.CodeValidation, field, "cannot change (from %q to %q); create a new resource instead", stored, body)
	}
	return nil
}

// created writes a 201 with the entity, its ETag and Location.
func created(w http.ResponseWriter, location string, version int64, v any) error {
	w.Header().Set("Location", location)
	setETag(w, version)
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// entity writes a 200 with the entity and its ETag.
func entity(w http.ResponseWriter, version int64, v any) error {
	setETag(w, version)
	writeJSON(w, http.StatusOK, v)
	return nil
}

func noContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkListQuery rejects a query parameter that a list route (one that pages
// with limit) does not declare, with a 400 naming it: a misspelt filter such as
// ?project= for ?projectId= would otherwise be ignored and answer with every
// item, which a script would take as the filtered list. Other routes are not
// checked (an OIDC provider adds its own parameters to the SSO callback).
func checkListQuery(rt Route, r *http.Request) error {
	if r.URL.RawQuery == "" || !slices.ContainsFunc(rt.Query, func(p Param) bool { return p.Name == "limit" }) {
		return nil
	}
	q := r.URL.Query()
	for _, name := range slices.Sorted(maps.Keys(q)) {
		if !slices.ContainsFunc(rt.Query, func(p Param) bool { return p.Name == name }) {
			known := make([]string, len(rt.Query))
			for i, p := range rt.Query {
				known[i] = p.Name
			}
			return invalid(capsule.CodeInvalidParameter, name, "unknown query parameter (this route accepts %s)", strings.Join(known, ", "))
		}
	}
	return nil
}
