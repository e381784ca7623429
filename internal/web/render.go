package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/cost"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages are the parsed templates, one set per page (the layout, the shared
// partials and the page's own file), parsed on first use.
var pages = sync.OnceValues(func() (map[string]*template.Template, error) {
	base, err := template.New("layout.html").Funcs(funcs()).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
})

// funcs are the templates' functions, made when the templates are parsed.
func funcs() template.FuncMap {
	return template.FuncMap{
		"money":     func(m cost.Money) string { return "$" + m.String() },
		"signed":    signedMoney,
		"dict":      dict,
		"list":      func(v ...string) []string { return v },
		"when":      when,
		"path":      url.PathEscape,
		"query":     url.QueryEscape,
		"anchor":    anchor,
		"value":     valueText,
		"sevclass":  sevClass,
		"statusdot": func(s string) string { return "status-" + classToken(s) },
		"inc":       func(i int) int { return i + 1 },
	}
}

// view is what every page template receives.
type view struct {
	Title string
	User  me
	Orgs  []orgChoice
	CSRF  string
	Path  string
	Can   map[string]bool
	Data  any
}

// render writes page name with data, as the signed-in user.
func (pc *pageCtx) render(name, title string, data any) error {
	v := view{Title: title, User: pc.me, Orgs: pc.orgChoices(), CSRF: pc.h.csrfToken(pc.sess.ID),
		Path: pc.r.URL.RequestURI(), Can: pc.perms, Data: data}
	return pc.h.renderPage(pc.w, http.StatusOK, name, v)
}

// renderPage executes a page into a buffer first, so a template error
// becomes a clean 500 instead of half a page.
func (h *Handler) renderPage(w http.ResponseWriter, status int, name string, v view) error {
	ps, err := pages()
	if err != nil {
		return err
	}
	t, ok := ps[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err = buf.WriteTo(w)
	return err
}

// renderError shows an error page with the API's status and message; an
// error that is not the API's is logged and shown as a generic 500.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, pc *pageCtx, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		h.log.ErrorContext(r.Context(), "web page failed", "path", r.URL.Path, "error", err.Error())
		ae = &apiError{Status: http.StatusInternalServerError, Code: capsule.CodeInternal, Message: "something went wrong on the server"}
	}
	v := view{Title: http.StatusText(ae.Status), Data: ae}
	if pc != nil && pc.sess != nil {
		v.User, v.Orgs, v.CSRF, v.Can = pc.me, pc.orgChoices(), h.csrfToken(pc.sess.ID), pc.perms
	}
	if rerr := h.renderPage(w, ae.Status, "error", v); rerr != nil {
		h.log.ErrorContext(r.Context(), "web error page failed", "error", rerr.Error())
		http.Error(w, ae.Message, ae.Status)
	}
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.renderError(w, r, nil, &apiError{Status: http.StatusNotFound, Code: capsule.CodeNotFound, Message: "there is no page at " + r.URL.Path})
}

// staticHandler serves the embedded CSS and script.
func staticHandler() http.Handler {
	return http.FileServerFS(staticFS)
}

func when(t any) string {
	switch v := t.(type) {
	case time.Time:
		if v.IsZero() {
			return "—"
		}
		return v.UTC().Format("2006-01-02 15:04 UTC")
	case *time.Time:
		if v == nil {
			return "—"
		}
		return when(*v)
	case string:
		if p, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return when(p)
		}
		return v
	}
	return fmt.Sprint(t)
}

// anchor is the id of an object's (and, with a path, a field's) place in
// the diff, so risks and cost rows can link to it.
func anchor(resource string, path ...string) string {
	s := "obj-" + classToken(resource)
	if len(path) > 0 && path[0] != "" {
		s += "--" + classToken(path[0])
	}
	return s
}

// classToken keeps letters, digits and dashes, so any name becomes a safe
// id or class.
func classToken(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// valueText shows a diff value: strings as written, the rest as JSON.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func sevClass(sev float64) string {
	switch {
	case sev >= 9:
		return "sev-critical"
	case sev >= 7:
		return "sev-high"
	case sev >= 4:
		return "sev-medium"
	}
	return "sev-low"
}

// signedMoney is an amount with its sign before the dollar: +$17.20.
func signedMoney(m cost.Money) string {
	s := m.Signed()
	return s[:1] + "$" + s[1:]
}

// dict builds a map from key, value pairs, to pass several values to a
// partial.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("dict: keys must be strings")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
