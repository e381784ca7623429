package httpapi

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/rbac"
)

// AuditList is a page of audit entries; NextAfter is the cursor (the last
// seq) for the next page, 0 at the end.
type AuditList struct {
	Items     []audit.Entry `json:"items"`
	NextAfter int64         `json:"nextAfter,omitempty"`
}

var auditParams = []Param{
	{Name: "organizationId", Type: "string", Description: "the organization (required when you belong to several)"},
	{Name: "actor", Type: "string", Description: "only entries by this user or API key id"},
	{Name: "action", Type: "string", Description: "only this action; a trailing * matches a prefix (secrets.*)"},
	{Name: "target", Type: "string", Description: "only entries about this target id"},
	{Name: "outcome", Type: "string", Description: "only this outcome", Enum: []string{audit.OutcomeSuccess, audit.OutcomeFailure, audit.OutcomeDenied}},
	{Name: "from", Type: "string", Description: "RFC 3339 time, inclusive"},
	{Name: "to", Type: "string", Description: "RFC 3339 time, exclusive"},
	{Name: "after", Type: "integer", Description: "cursor: entries after this seq"},
	{Name: "limit", Type: "integer", Description: "page size (default 100, at most 1000)"},
	{Name: "format", Type: "string", Description: "json (default), jsonl or csv", Enum: []string{"json", "jsonl", "csv"}},
}

// auditOrg picks the organization of an audit query: the parameter, else
// the caller's only organization where they may view the audit log.
func auditOrg(r *http.Request) (string, error) {
	if id := r.URL.Query().Get("organizationId"); id != "" {
		if !CallerFrom(r.Context()).IsMember(id) {
			return "", capsule.NotFound("organization", id)
		}
		return id, nil
	}
	ms := CallerFrom(r.Context()).Memberships
	if len(ms) == 1 {
		return ms[0].OrganizationID, nil
	}
	if len(ms) == 0 {
		return "", forbidden("you need audit:view in an organization")
	}
	return "", invalid(capsule.CodeValidation, "organizationId", "is required: you may view the audit log of %d organizations", len(ms))
}

func auditFilter(r *http.Request) (identity.AuditFilter, string, error) {
	q := r.URL.Query()
	org, err := auditOrg(r)
	if err != nil {
		return identity.AuditFilter{}, "", err
	}
	f := identity.AuditFilter{OrganizationID: org, ActorID: q.Get("actor"), Action: q.Get("action"),
		TargetID: q.Get("target"), Outcome: q.Get("outcome")}
	var v capsule.Validation
	parseTime := func(name string) time.Time {
		s := q.Get(name)
		if s == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			v.Add(name, "%q is not an RFC 3339 time", s)
		}
		return t
	}
	f.From, f.To = parseTime("from"), parseTime("to")
	for name, dst := range map[string]*int64{"after": &f.AfterSeq} {
		if s := q.Get(name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				v.Add(name, "%q is not a non-negative integer", s)
			}
			*dst = n
		}
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			v.Add("limit", "%q must be an integer from 1 to 1000", s)
		}
		f.Limit = n
	}
	switch f.Outcome {
	case "", audit.OutcomeSuccess, audit.OutcomeFailure, audit.OutcomeDenied:
	default:
		// An unknown outcome would match nothing and answer an empty page,
		// which reads as "no such entries".
		v.Add("outcome", "%q is not %s, %s or %s", f.Outcome, audit.OutcomeSuccess, audit.OutcomeFailure, audit.OutcomeDenied)
	}
	format := q.Get("format")
	switch format {
	case "", "json", "jsonl", "csv":
	default:
		v.Add("format", "%q is not json, jsonl or csv", format)
	}
	return f, format, v.Err()
}

func (ac *access) listAudit(w http.ResponseWriter, r *http.Request) error {
	f, format, err := auditFilter(r)
	if err != nil {
		return err
	}
	es, err := ac.ids.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	switch format {
	case "jsonl":
		w.Header().Set("Content-Type", "application/x-ndjson")
		enc := json.NewEncoder(w)
		for i := range es {
			if err := enc.Encode(&es[i]); err != nil {
				return nil // the client went away
			}
		}
		return nil
	case "csv":
		return writeAuditCSV(w, es)
	}
	l := AuditList{Items: es}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if len(es) == f.Limit {
		l.NextAfter = es[len(es)-1].Seq
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

var auditCSVHeader = []string{"seq", "time", "actorType", "actorId", "action", "targetType", "targetId",
	"organizationId", "requestId", "ip", "userAgent", "outcome", "before", "after", "prevHash", "hash"}

// writeAuditCSV writes entries as CSV; cells that a spreadsheet would run as
// a formula get a leading quote (CSV injection).
func writeAuditCSV(w http.ResponseWriter, es []audit.Entry) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	cw := csv.NewWriter(w)
	_ = cw.Write(auditCSVHeader)
	for _, e := range es {
		_ = cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.Time.UTC().Format(time.RFC3339Nano), e.ActorType, safeCell(e.ActorID),
			safeCell(e.Action), safeCell(e.TargetType), safeCell(e.TargetID), e.OrganizationID, safeCell(e.RequestID), safeCell(e.IP),
			safeCell(e.UserAgent), e.Outcome, safeCell(summaryText(e.Before)), safeCell(summaryText(e.After)), e.PrevHash, e.Hash})
	}
	cw.Flush()
	return nil
}

func summaryText(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	v := url.Values{}
	for _, k := range keys {
		v.Set(k, m[k])
	}
	return v.Encode()
}

func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// AuditVerification is the answer of GET /audit/logs/verify.
type AuditVerification struct {
	OK bool `json:"ok"`
	audit.Result
}

// verifyAudit verifies the whole installation's chain: installation
// admins only, since the chain holds every organization's entries. An
// organization's owner verifies its own entries with verifyOrgAudit.
func (a *API) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	res, err := a.VerifyAuditChain(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, AuditVerification{OK: res.Finding == nil, Result: res})
	return nil
}

// verifyOrgAudit verifies one organization's entries through the chain
// (see identity.VerifyAuditOrg); the route's audit:view at the
// organization's scope guards it.
func (ac *access) verifyOrgAudit(w http.ResponseWriter, r *http.Request) error {
	res, err := ac.ids.VerifyAuditOrg(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, AuditVerification{OK: res.Finding == nil, Result: res})
	return nil
}

// AuditCheckpoints is the export of the signed checkpoints: keep a copy
// elsewhere; PublicKey (base64 Ed25519) checks each signature offline.
type AuditCheckpoints struct {
	PublicKey   string             `json:"publicKey"`
	Checkpoints []audit.Checkpoint `json:"checkpoints"`
}

// auditCheckpoints exports the newest signed checkpoints, for installation
// admins: they anchor every organization's entries.
func (ac *access) auditCheckpoints(w http.ResponseWriter, r *http.Request) error {
	sig := ac.ids.CheckpointSigner()
	if sig == nil {
		return capsule.NotImplemented("audit checkpoints on a server without a checkpoint key")
	}
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return invalid(capsule.CodeValidation, "limit", "%q must be an integer from 1 to 1000", s)
		}
		limit = n
	}
	cs, err := ac.ids.Checkpoints(r.Context(), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, AuditCheckpoints{PublicKey: sig.PublicKey(), Checkpoints: cs})
	return nil
}

// requireInstallationAdmin admits the installation's administrators: the
// owners of the organization with slug "default", which the server creates
// for its first administrator. API keys never qualify: they act within one
// organization.
func (ac *access) requireInstallationAdmin(r *http.Request) error {
	ctx := r.Context()
	denied := forbidden("only installation admins (owners of the \"default\" organization) may read the whole installation's audit chain; verify your organization's entries with GET /api/v1/organizations/{id}/audit/verify")
	p := principalFrom(ctx)
	if p == nil || p.key != nil {
		return denied
	}
	l, err := ac.store.ListOrganizations(ctx, capsule.OrganizationFilter{MemberUserID: p.caller.UserID, Slug: "default", Page: capsule.Page{Limit: 1}})
	if err != nil {
		return err
	}
	if len(l.Items) == 1 {
		m, err := ac.store.FindMember(ctx, l.Items[0].ID, p.caller.UserID)
		if err == nil && m.Role == rbac.Owner {
			return nil
		}
		if err != nil && !capsule.IsNotFound(err) {
			return err
		}
	}
	return denied
}
