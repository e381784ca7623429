package web

import (
	"io"
	"net/http"
	"net/url"

	"github.com/usecapsule/capsule/internal/audit"
)

// auditFilters are the audit page's filters, passed to the API as they are.
var auditFilters = []string{"actor", "action", "target", "outcome", "from", "to"}

type auditData struct {
	Filters map[string]string
	Entries []audit.Entry
	Verify  map[string]any
	Export  string
}

func (pc *pageCtx) auditQuery() url.Values {
	q := url.Values{"organizationId": {pc.org}}
	for _, f := range auditFilters {
		if v := pc.r.URL.Query().Get(f); v != "" {
			q.Set(f, v)
		}
	}
	return q
}

func (h *Handler) audit(pc *pageCtx) error {
	q := pc.auditQuery()
	d := auditData{Filters: map[string]string{}}
	for _, f := range auditFilters {
		d.Filters[f] = q.Get(f)
	}
	q.Set("limit", "200")
	var l struct {
		Items []audit.Entry `json:"items"`
	}
	if err := pc.get("/api/v1/audit/logs?"+q.Encode(), &l); err != nil {
		return err
	}
	d.Entries = l.Items
	if err := pc.get("/api/v1/organizations/"+url.PathEscape(pc.org)+"/audit/verify", &d.Verify); err != nil {
		return err
	}
	q.Del("limit")
	q.Set("format", "csv")
	d.Export = "/audit/export?" + q.Encode()
	return pc.render("audit", "Audit log", d)
}

// auditExport hands the API's export (csv or jsonl) to the browser as a
// download: a plain link to the API would carry no credential.
func (h *Handler) auditExport(pc *pageCtx) error {
	q := pc.auditQuery()
	format := pc.r.URL.Query().Get("format")
	if format != "jsonl" {
		format = "csv"
	}
	q.Set("format", format)
	res, err := pc.do("GET", "/api/v1/audit/logs?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	if err := res.decode(nil); err != nil {
		return err
	}
	pc.w.Header().Set("Content-Type", res.header.Get("Content-Type"))
	pc.w.Header().Set("Content-Disposition", `attachment; filename="capsule-audit.`+format+`"`)
	pc.w.WriteHeader(http.StatusOK)
	_, err = io.Copy(pc.w, &res.body)
	return err
}
