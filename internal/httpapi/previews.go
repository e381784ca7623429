package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/explain"
	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/preview"
)

// Promotion previews (issue 3, item 6). POST computes the preview with the
// same engines as `capsule preview` and stores the artifact; GET returns it
// byte for byte, or one of its parts.
//
// Design decisions:
//   - Manifest sets travel as YAML (or JSON) text, multi-document, as the
//     CLI reads them from files; errors name the field and the document.
//   - Creating a preview needs promotion:preview; reading one needs
//     project:view where it was made (the artifact never holds Secret values).
//   - The explanation is the deterministic one unless the server was given
//     an LLM (capsule server --llm-url/--llm-model): then Config.Explainer
//     writes it, the answer is checked against the facts, and any failure
//     (error, timeout, invented number or name) falls back to the
//     deterministic text with explanation_source saying why. The call is
//     made within the request, bounded by the explainer's timeout.

// PreviewRequest is the body of POST /api/v1/previews.
type PreviewRequest struct {
	OrganizationID string `json:"organizationId,omitempty"`
	ProjectID      string `json:"projectId,omitempty"`
	// Current and Proposed are manifests (YAML or JSON, multi-document).
	Current  string `json:"current"`
	Proposed string `json:"proposed"`
	// ClusterState is an optional snapshot of the target: Nodes, Pods,
	// ResourceQuotas, LimitRanges, ConfigMaps and Secrets (names only).
	ClusterState   string `json:"clusterState,omitempty"`
	KubeVersion    string `json:"kubeVersion,omitempty"`
	MatchNamespace bool   `json:"matchNamespace,omitempty"`
}

// PreviewResponse is a stored preview: its identity and the artifact.
type PreviewResponse struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"organizationId"`
	ProjectID      string    `json:"projectId,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
	preview.Preview
}

// PreviewRisks is the risk part of a preview.
type PreviewRisks struct {
	RiskLevel string            `json:"risk_level"`
	Risks     []json.RawMessage `json:"risks"`
	// NotAssessed names the objects of kinds no risk rule understands.
	NotAssessed []json.RawMessage `json:"not_assessed"`
}

// PreviewExplanation is the explanation part of a preview.
type PreviewExplanation struct {
	Explanation       string          `json:"explanation"`
	ExplanationSource *explain.Result `json:"explanation_source,omitempty"`
}

func createPreview(st capsule.Store, explainer preview.Explainer) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var req PreviewRequest
		if err := decodeJSON(r, &req); err != nil {
			return err
		}
		in, err := previewInput(req)
		if err != nil {
			return err
		}
		stored := &capsule.Preview{ProjectID: req.ProjectID, OrganizationID: req.OrganizationID, CreatedBy: CallerFrom(r.Context()).UserID}
		if err := previewOwner(r, st, stored); err != nil {
			return err
		}
		p, err := preview.Build(in)
		if err != nil {
			// The engines name the set ("current: document 3: ...").
			field := "proposed"
			if strings.Contains(err.Error(), "current") {
				field = "current"
			}
			return invalid(capsule.CodeValidation, field, "%s", oneLine(err))
		}
		if explainer != nil {
			p.Explain(r.Context(), explainer)
		}
		if stored.Result, err = json.Marshal(p); err != nil {
			return capsule.Internal(err)
		}
		stored.RiskLevel = string(p.RiskLevel)
		if err := st.CreatePreview(r.Context(), stored); err != nil {
			return err
		}
		return writePreview(w, http.StatusCreated, stored)
	}
}

// previewInput parses the request's manifest sets, naming the field of any
// bad document.
func previewInput(req PreviewRequest) (preview.Input, error) {
	in := preview.Input{KubeVersion: req.KubeVersion}
	in.Diff.MatchNamespace = req.MatchNamespace
	var v capsule.Validation
	parse := func(field, text string, required bool) []manifest.Object {
		if text == "" {
			if required {
				v.Add(field, "is required (YAML or JSON manifests)")
			}
			return nil
		}
		objs, err := manifest.Parse(field, []byte(text))
		if err != nil {
			v.Add(field, "%s", oneLine(err))
		}
		return objs
	}
	in.Current = parse("current", req.Current, false)
	in.Proposed = parse("proposed", req.Proposed, true)
	cluster := parse("clusterState", req.ClusterState, false)
	if err := v.Err(); err != nil {
		return in, err
	}
	if req.ClusterState != "" {
		c, err := preview.ClusterFromObjects(cluster)
		if err != nil {
			return in, invalid(capsule.CodeValidation, "clusterState", "%s", oneLine(err))
		}
		in.Cluster = c
	}
	return in, nil
}

// previewOwner fills the organization of a preview: the project's, the one
// given, or the caller's default.
func previewOwner(r *http.Request, st capsule.Store, p *capsule.Preview) error {
	ctx := r.Context()
	switch {
	case p.ProjectID != "":
		proj, err := findProject(ctx, st, p.ProjectID)
		if err != nil {
			return err
		}
		if p.OrganizationID != "" && p.OrganizationID != proj.OrganizationID {
			return invalid(capsule.CodeValidation, "organizationId", "is not the project's organization")
		}
		p.OrganizationID = proj.OrganizationID
	case p.OrganizationID != "":
		if !CallerFrom(ctx).IsMember(p.OrganizationID) {
			return capsule.NotFound("organization", p.OrganizationID)
		}
	default:
		org, err := defaultOrganization(ctx, st)
		if err != nil {
			return err
		}
		p.OrganizationID = org
	}
	return nil
}

// writePreview writes the identity fields followed by the stored artifact's
// own fields, so GET returns exactly what POST did.
func writePreview(w http.ResponseWriter, status int, p *capsule.Preview) error {
	head, err := json.Marshal(struct {
		ID             string    `json:"id"`
		OrganizationID string    `json:"organizationId"`
		ProjectID      string    `json:"projectId,omitempty"`
		CreatedAt      time.Time `json:"createdAt"`
	}{p.ID, p.OrganizationID, p.ProjectID, p.CreatedAt})
	if err != nil {
		return capsule.Internal(err)
	}
	var body bytes.Buffer
	if err := json.Compact(&body, p.Result); err != nil || body.Len() < 2 || body.Bytes()[0] != '{' {
		return capsule.Internal(errBadStoredPreview(p.ID))
	}
	var out bytes.Buffer
	out.Write(head[:len(head)-1]) // without the closing brace
	if body.Len() > 2 {
		out.WriteByte(',')
		out.Write(body.Bytes()[1:])
	} else {
		out.WriteByte('}')
	}
	writeJSON(w, status, json.RawMessage(out.Bytes()))
	return nil
}

// oneLine folds the loader's one-problem-per-line errors into one line for
// an error message.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

type errBadStoredPreview string

// Error implements error.
func (e errBadStoredPreview) Error() string {
	return "stored preview " + string(e) + " is not a JSON object"
}

func getPreview(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := loadPreview(r, st)
		if err != nil {
			return err
		}
		return writePreview(w, http.StatusOK, p)
	}
}

// getPreviewPart returns some top-level fields of the artifact.
func getPreviewPart(st capsule.Store, fields ...string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := loadPreview(r, st)
		if err != nil {
			return err
		}
		var all map[string]json.RawMessage
		if err := json.Unmarshal(p.Result, &all); err != nil {
			return capsule.Internal(err)
		}
		if len(fields) == 1 {
			writeJSON(w, http.StatusOK, all[fields[0]])
			return nil
		}
		part := make(map[string]json.RawMessage, len(fields))
		for _, f := range fields {
			if v, ok := all[f]; ok {
				part[f] = v
			}
		}
		writeJSON(w, http.StatusOK, part)
		return nil
	}
}

func loadPreview(r *http.Request, st capsule.Store) (*capsule.Preview, error) {
	id := r.PathValue("id")
	p, err := st.FindPreview(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !CallerFrom(r.Context()).IsMember(p.OrganizationID) {
		return nil, capsule.NotFound("preview", id)
	}
	return p, nil
}
