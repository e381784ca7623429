package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/usecapsule/capsule"
	promotionsv1 "github.com/usecapsule/capsule/internal/gen/capsule/promotions/v1"
	"github.com/usecapsule/capsule/internal/gen/capsule/promotions/v1/promotionsv1connect"
)

// The promotion workflow is also served as capsule.promotions.v1.
// PromotionService over gRPC, gRPC-Web and the Connect protocol (connect-go,
// on the API's own listener, HTTP/2 included). Each RPC is carried out by
// its REST twin inside the process: the RPC's message becomes the twin's
// request (path, query, JSON body), which goes through the twin's guard and
// handler, and the twin's answer becomes the RPC's response. So an RPC is
// authenticated, rate limited, scoped, authorized with the same permission
// and audited under the same action (promotions.approve) as its twin by
// construction, not by a second copy of those rules that could drift.

// rpcRequestKey holds the HTTP request an RPC arrived in: the twin's request
// is a clone of it (headers with the credential, client address, TLS).
type rpcRequestKey struct{}

// promotionRPCHandler returns the path prefix and the handler of the service.
func (a *API) promotionRPCHandler() (string, http.Handler) {
	path, h := promotionsv1connect.NewPromotionServiceHandler(promotionRPC{a},
		connect.WithReadMaxBytes(int(a.maxBody)))
	return path, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		infoFrom(r.Context()).route = "RPC " + path
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), rpcRequestKey{}, r)))
	})
}

// promotionRPC implements the service over the API's REST routes.
type promotionRPC struct{ api *API }

var _ promotionsv1connect.PromotionServiceHandler = promotionRPC{}

// twin is the REST request an RPC is carried out as.
type twin struct {
	method, path string
	query        url.Values
	body         any // sent as JSON when not nil
	// field wraps the REST answer as this field of the response message,
	// for RPCs whose REST twin answers a bare artifact (the diff).
	field string
}

// Preview records a promotion preview.
func (s promotionRPC) Preview(ctx context.Context, req *connect.Request[promotionsv1.PreviewRequest]) (*connect.Response[promotionsv1.PreviewResponse], error) {
	m, out := req.Msg, &promotionsv1.PreviewResponse{}
	body := PromotionPreviewRequest{ServiceID: m.ServiceId, WorkloadName: m.WorkloadName, SourceEnvID: m.SourceEnvId,
		SourceNamespace: m.SourceNamespace, TargetEnvID: m.TargetEnvId, TargetNamespace: m.TargetNamespace,
		ClusterID: m.ClusterId, GitCommit: m.GitCommit, ProjectID: m.ProjectId}
	return respond(out, s.api.serveTwin(ctx, req.Spec().Procedure, twin{method: http.MethodPost, path: "/api/v1/promotions/preview", body: body}, out))
}

// List lists promotions.
func (s promotionRPC) List(ctx context.Context, req *connect.Request[promotionsv1.ListRequest]) (*connect.Response[promotionsv1.ListResponse], error) {
	m, q, out := req.Msg, url.Values{}, &promotionsv1.ListResponse{}
	for k, v := range map[string]string{"projectId": m.ProjectId, "serviceId": m.ServiceId,
		"environmentId": m.EnvironmentId, "status": m.Status, "cursor": m.Cursor} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if m.Limit != 0 {
		q.Set("limit", strconv.Itoa(int(m.Limit)))
	}
	return respond(out, s.api.serveTwin(ctx, req.Spec().Procedure, twin{method: http.MethodGet, path: "/api/v1/promotions", query: q}, out))
}

// Get reads one promotion.
func (s promotionRPC) Get(ctx context.Context, req *connect.Request[promotionsv1.GetRequest]) (*connect.Response[promotionsv1.Promotion], error) {
	out := &promotionsv1.Promotion{}
	return respond(out, s.read(ctx, req, "", "", out))
}

// GetDiff reads the promotion's diff.
func (s promotionRPC) GetDiff(ctx context.Context, req *connect.Request[promotionsv1.GetRequest]) (*connect.Response[promotionsv1.GetDiffResponse], error) {
	out := &promotionsv1.GetDiffResponse{}
	return respond(out, s.read(ctx, req, "/diff", "diff", out))
}

// GetCost reads the promotion's cost estimate.
func (s promotionRPC) GetCost(ctx context.Context, req *connect.Request[promotionsv1.GetRequest]) (*connect.Response[promotionsv1.GetCostResponse], error) {
	out := &promotionsv1.GetCostResponse{}
	return respond(out, s.read(ctx, req, "/cost", "estimated_cost", out))
}

// GetRisk reads the promotion's risk findings.
func (s promotionRPC) GetRisk(ctx context.Context, req *connect.Request[promotionsv1.GetRequest]) (*connect.Response[promotionsv1.GetRiskResponse], error) {
	out := &promotionsv1.GetRiskResponse{}
	return respond(out, s.read(ctx, req, "/risk", "", out))
}

// GetExplanation reads the promotion's explanation.
func (s promotionRPC) GetExplanation(ctx context.Context, req *connect.Request[promotionsv1.GetRequest]) (*connect.Response[promotionsv1.GetExplanationResponse], error) {
	out := &promotionsv1.GetExplanationResponse{}
	return respond(out, s.read(ctx, req, "/explanation", "", out))
}

// Approve approves a promotion.
func (s promotionRPC) Approve(ctx context.Context, req *connect.Request[promotionsv1.DecisionRequest]) (*connect.Response[promotionsv1.Promotion], error) {
	out := &promotionsv1.Promotion{}
	return respond(out, s.decide(ctx, req, "/approve", out))
}

// Reject rejects a promotion.
func (s promotionRPC) Reject(ctx context.Context, req *connect.Request[promotionsv1.DecisionRequest]) (*connect.Response[promotionsv1.Promotion], error) {
	out := &promotionsv1.Promotion{}
	return respond(out, s.decide(ctx, req, "/reject", out))
}

func respond[T any](out *T, err error) (*connect.Response[T], error) {
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(out), nil
}

func (s promotionRPC) read(ctx context.Context, req *connect.Request[promotionsv1.GetRequest], suffix, field string, out proto.Message) error {
	p, err := promotionPath(req.Msg.Id, suffix)
	if err != nil {
		return s.api.rpcError(ctx, err)
	}
	return s.api.serveTwin(ctx, req.Spec().Procedure, twin{method: http.MethodGet, path: p, field: field}, out)
}

func (s promotionRPC) decide(ctx context.Context, req *connect.Request[promotionsv1.DecisionRequest], suffix string, out proto.Message) error {
	p, err := promotionPath(req.Msg.Id, suffix)
	if err != nil {
		return s.api.rpcError(ctx, err)
	}
	body := PromotionDecisionRequest{Comment: req.Msg.Comment, OverrideReason: req.Msg.OverrideReason}
	return s.api.serveTwin(ctx, req.Spec().Procedure, twin{method: http.MethodPost, path: p, body: body}, out)
}

// promotionPath is the twin's path for a promotion's id. An id that is not
// one path segment could only name another route, so it names no promotion.
func promotionPath(id, suffix string) (string, error) {
	if id == "" {
		var v capsule.Validation
		v.Add("id", "is required")
		return "", v.Err()
	}
	if id == "." || id == ".." {
		return "", capsule.NotFound("promotion", id)
	}
	return "/api/v1/promotions/" + url.PathEscape(id) + suffix, nil
}

// serveTwin carries out an RPC as its REST twin and reads the twin's JSON
// answer into out, or turns its error into the RPC's.
func (a *API) serveTwin(ctx context.Context, procedure string, t twin, out proto.Message) error {
	outer, _ := ctx.Value(rpcRequestKey{}).(*http.Request)
	if outer == nil {
		return a.rpcError(ctx, capsule.Internal(errors.New("rpc: no HTTP request in the context")))
	}
	u, err := url.Parse(t.path)
	if err != nil {
		return a.rpcError(ctx, capsule.Internal(err))
	}
	u.RawQuery = t.query.Encode()
	in := outer.Clone(ctx)
	in.Method, in.URL, in.RequestURI = t.method, u, u.RequestURI()
	in.TransferEncoding, in.Trailer, in.Form, in.PostForm, in.MultipartForm = nil, nil, nil, nil, nil
	for _, h := range []string{"Content-Type", "Content-Length", "Content-Encoding", "Accept-Encoding", "Te", "Trailer"} {
		in.Header.Del(h)
	}
	in.Body, in.ContentLength = http.NoBody, 0
	if t.body != nil {
		b, err := json.Marshal(t.body)
		if err != nil {
			return a.rpcError(ctx, capsule.Internal(err))
		}
		in.Header.Set("Content-Type", "application/json")
		in.Body, in.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	}
	rec := &twinRecorder{header: http.Header{}}
	a.mux.ServeHTTP(rec, in)
	info := infoFrom(ctx)
	info.route, info.status = "RPC "+procedure, rec.status // the twin's guard named its own route
	if rec.status >= 300 {
		return twinError(rec)
	}
	body := rec.body.Bytes()
	if t.field != "" {
		body = append(append([]byte(`{"`+t.field+`":`), bytes.TrimSpace(body)...), '}')
	}
	// Fields the REST answer gains before the message does are dropped, not
	// an error: a test checks the messages mirror every field of today's.
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(body, out); err != nil {
		return a.rpcError(ctx, capsule.Internal(fmt.Errorf("rpc %s: reading the answer of %s %s: %w", procedure, t.method, t.path, err)))
	}
	return nil
}

// rpcError turns an error met before or after the twin ran into the RPC's,
// through the same error writer as REST.
func (a *API) rpcError(ctx context.Context, err error) error {
	rec := &twinRecorder{header: http.Header{}}
	r, _ := ctx.Value(rpcRequestKey{}).(*http.Request)
	if r == nil {
		r = (&http.Request{Method: http.MethodPost, URL: &url.URL{}}).WithContext(ctx)
	}
	writeError(rec, r, a.log, err)
	infoFrom(ctx).status = rec.status
	return twinError(rec)
}

// rpcCodes maps the REST error statuses (one per error kind, see
// statusByKind) to RPC codes.
var rpcCodes = map[int]connect.Code{
	http.StatusBadRequest:                  connect.CodeInvalidArgument,
	http.StatusUnauthorized:                connect.CodeUnauthenticated,
	http.StatusForbidden:                   connect.CodePermissionDenied,
	http.StatusNotFound:                    connect.CodeNotFound,
	http.StatusMethodNotAllowed:            connect.CodeUnimplemented,
	http.StatusConflict:                    connect.CodeFailedPrecondition,
	http.StatusPreconditionFailed:          connect.CodeFailedPrecondition,
	http.StatusRequestEntityTooLarge:       connect.CodeResourceExhausted,
	http.StatusTooManyRequests:             connect.CodeResourceExhausted,
	http.StatusRequestHeaderFieldsTooLarge: connect.CodeResourceExhausted,
	http.StatusNotImplemented:              connect.CodeUnimplemented,
	http.StatusServiceUnavailable:          connect.CodeUnavailable,
	http.StatusInternalServerError:         connect.CodeInternal,
}

// twinError is the RPC error of a REST error answer: the code by status,
// the message as REST words it, and the REST error object (code, message,
// details) as a google.protobuf.Struct detail and its code as the
// Capsule-Error-Code metadata, so clients can branch on PROMOTION_CLOSED
// as REST clients do. Retry-After is passed on.
func twinError(rec *twinRecorder) error {
	code, ok := rpcCodes[rec.status]
	if !ok {
		code = connect.CodeUnknown
	}
	var eb ErrorBody
	if json.Unmarshal(rec.body.Bytes(), &eb) != nil || eb.Error.Code == "" {
		eb.Error = ErrorDetail{Code: capsule.CodeInternal, Message: fmt.Sprintf("unexpected answer %d", rec.status)}
		code = connect.CodeInternal
	}
	ce := connect.NewError(code, errors.New(eb.Error.Message))
	ce.Meta().Set("Capsule-Error-Code", eb.Error.Code)
	if ra := rec.header.Get("Retry-After"); ra != "" {
		ce.Meta().Set("Retry-After", ra)
	}
	var obj map[string]any
	if b, err := json.Marshal(eb.Error); err == nil && json.Unmarshal(b, &obj) == nil {
		if st, err := structpb.NewStruct(obj); err == nil {
			if d, err := connect.NewErrorDetail(st); err == nil {
				ce.AddDetail(d)
			}
		}
	}
	return ce
}

// twinRecorder keeps the twin's answer.
type twinRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header returns the answer's headers.
func (t *twinRecorder) Header() http.Header { return t.header }

// WriteHeader keeps the first status.
func (t *twinRecorder) WriteHeader(code int) {
	if t.status == 0 {
		t.status = code
	}
}

// Write keeps the body; a body without a status is a 200.
func (t *twinRecorder) Write(b []byte) (int, error) {
	t.WriteHeader(http.StatusOK)
	return t.body.Write(b)
}
