package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	promotionsv1 "github.com/usecapsule/capsule/internal/gen/capsule/promotions/v1"
	"github.com/usecapsule/capsule/internal/gen/capsule/promotions/v1/promotionsv1connect"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/ratelimit"
	"github.com/usecapsule/capsule/internal/rbac"
)

// h2cServer serves the API like `capsule server` on plain HTTP: HTTP/1.1
// and HTTP/2 with prior knowledge (h2c), which gRPC needs.
func h2cServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	var p http.Protocols
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	srv.Config.Protocols = &p
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// h2cClient speaks HTTP/2 only, without TLS.
func h2cClient() *http.Client {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: &p}}
}

func rpcAs[T any](msg *T, token string) *connect.Request[T] {
	r := connect.NewRequest(msg)
	if token != "" {
		r.Header().Set("Authorization", "Bearer "+token)
	}
	return r
}

func wantRPCError(t *testing.T, err error, code connect.Code, capsuleCode string) {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != code || ce.Meta().Get("Capsule-Error-Code") != capsuleCode {
		t.Fatalf("error %v, want %s with Capsule-Error-Code %s", err, code, capsuleCode)
	}
}

// TestPromotionRPC: the promotion service answers over gRPC (h2c), gRPC-Web
// and Connect JSON, as its REST twins do: Preview → Get → Approve, the
// preview's parts and the list; a viewer's approval is permission_denied
// (and audited as denied), an unknown promotion not_found, a missing
// credential unauthenticated; the approval's audit entry is there.
func TestPromotionRPC(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "rpc")
		srv := h2cServer(t, tm.e.api)
		grpcClient := promotionsv1connect.NewPromotionServiceClient(h2cClient(), srv.URL, connect.WithGRPC())
		jsonClient := promotionsv1connect.NewPromotionServiceClient(srv.Client(), srv.URL, connect.WithProtoJSON())
		webClient := promotionsv1connect.NewPromotionServiceClient(srv.Client(), srv.URL, connect.WithGRPCWeb())
		ctx := context.Background()
		owner, admin, viewer := tm.tokens[rbac.Owner], tm.tokens[rbac.Admin], tm.tokens[rbac.Viewer]

		pv, err := grpcClient.Preview(ctx, rpcAs(&promotionsv1.PreviewRequest{ServiceId: f.web, SourceEnvId: f.staging, TargetEnvId: f.prod}, owner))
		must(t, err)
		id := pv.Msg.PromotionId
		if id == "" || pv.Msg.Status != "pending_approval" || pv.Msg.Promotion.GetId() != id || pv.Msg.Summary.GetAdded() == 0 ||
			pv.Msg.Diff.GetStructValue() == nil || pv.Msg.EstimatedCost.GetStructValue() == nil || pv.Msg.Explanation == "" ||
			pv.Msg.Promotion.GetPreviewedAt().AsTime().IsZero() {
			t.Fatalf("preview over gRPC: %v", pv.Msg)
		}

		got, err := jsonClient.Get(ctx, rpcAs(&promotionsv1.GetRequest{Id: id}, viewer))
		must(t, err)
		if got.Msg.Id != id || got.Msg.TargetEnvId != f.prod || got.Msg.ServiceId != f.web || got.Msg.Status != "pending_approval" {
			t.Fatalf("get over Connect JSON: %v", got.Msg)
		}
		d, err := webClient.GetDiff(ctx, rpcAs(&promotionsv1.GetRequest{Id: id}, viewer))
		must(t, err)
		if d.Msg.Diff.GetStructValue().GetFields()["changes"] == nil {
			t.Fatalf("diff over gRPC-Web: %v", d.Msg)
		}
		c, err := webClient.GetCost(ctx, rpcAs(&promotionsv1.GetRequest{Id: id}, viewer))
		must(t, err)
		if c.Msg.EstimatedCost.GetStructValue().GetFields()["delta"] == nil {
			t.Fatalf("cost: %v", c.Msg)
		}
		rk, err := grpcClient.GetRisk(ctx, rpcAs(&promotionsv1.GetRequest{Id: id}, viewer))
		must(t, err)
		if rk.Msg.RiskLevel != pv.Msg.RiskLevel || rk.Msg.Risks == nil {
			t.Fatalf("risk: %v", rk.Msg)
		}
		ex, err := jsonClient.GetExplanation(ctx, rpcAs(&promotionsv1.GetRequest{Id: id}, viewer))
		must(t, err)
		if ex.Msg.Explanation != pv.Msg.Explanation {
			t.Fatalf("explanation: %v", ex.Msg)
		}
		l, err := grpcClient.List(ctx, rpcAs(&promotionsv1.ListRequest{ProjectId: f.project, Status: "pending_approval"}, viewer))
		must(t, err)
		if len(l.Msg.Items) != 1 || l.Msg.Items[0].Id != id {
			t.Fatalf("list: %v", l.Msg)
		}

		_, err = grpcClient.Approve(ctx, rpcAs(&promotionsv1.DecisionRequest{Id: id}, viewer))
		wantRPCError(t, err, connect.CodePermissionDenied, "FORBIDDEN")
		// The access log and metrics name the RPC and its twin's status, not gRPC's 200.
		if l := `"route":"RPC /capsule.promotions.v1.PromotionService/Approve","status":403`; !strings.Contains(tm.e.logs.String(), l) {
			t.Fatalf("no access log line with %s", l)
		}
		_, err = jsonClient.Get(ctx, rpcAs(&promotionsv1.GetRequest{Id: "0190d0a0-0000-7000-8000-000000000000"}, owner))
		wantRPCError(t, err, connect.CodeNotFound, "PROMOTION_NOT_FOUND")
		// An id is one path segment of the twin's path, whatever it holds.
		for _, bad := range []string{"..", ".", "a/b", "../../auth/me", "x?y#z", "%2e%2e", id + "/approve"} {
			_, err = grpcClient.Get(ctx, rpcAs(&promotionsv1.GetRequest{Id: bad}, owner))
			wantRPCError(t, err, connect.CodeNotFound, "PROMOTION_NOT_FOUND")
		}
		_, err = grpcClient.Get(ctx, rpcAs(&promotionsv1.GetRequest{Id: id}, ""))
		wantRPCError(t, err, connect.CodeUnauthenticated, "UNAUTHENTICATED")
		_, err = grpcClient.Get(ctx, rpcAs(&promotionsv1.GetRequest{}, owner))
		wantRPCError(t, err, connect.CodeInvalidArgument, "VALIDATION_FAILED")

		ap, err := grpcClient.Approve(ctx, rpcAs(&promotionsv1.DecisionRequest{Id: id, Comment: "ship it"}, admin))
		must(t, err)
		if len(ap.Msg.Approvals) != 1 || ap.Msg.Approvals[0].Comment != "ship it" || ap.Msg.Approvals[0].By != tm.users[rbac.Admin] {
			t.Fatalf("approve over gRPC: %v", ap.Msg)
		}
		_, err = jsonClient.Reject(ctx, rpcAs(&promotionsv1.DecisionRequest{Id: id}, admin))
		wantRPCError(t, err, connect.CodeFailedPrecondition, "PROMOTION_CLOSED")

		for outcome, want := range map[string]int{"success": 1, "denied": 1} {
			var n int
			must(t, tm.e.st.DB().QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'promotions.approve' AND outcome = '"+outcome+"'").Scan(&n))
			if n != want {
				t.Errorf("%d %s promotions.approve audit entries, want %d", n, outcome, want)
			}
		}
	})
}

// TestPromotionRPCRateLimited: RPCs spend the caller's REST budget (one
// token per call), and a call over it is resource_exhausted with the
// REST answer's code and Retry-After.
func TestPromotionRPCRateLimited(t *testing.T) {
	tm := newTeam(t, sqliteDSN(t), func(c *httpapi.Config) { c.Access.UserRate = ratelimit.Rate{PerMinute: 1, Burst: 3} })
	f := tm.newFixture(t, "rpc-limit")
	srv := h2cServer(t, tm.e.api)
	c := promotionsv1connect.NewPromotionServiceClient(h2cClient(), srv.URL, connect.WithGRPC())
	tok, ctx := tm.tokens[rbac.Viewer], context.Background()
	_, err := c.Get(ctx, rpcAs(&promotionsv1.GetRequest{Id: f.promotion}, tok))
	for i := 0; err == nil && i < 5; i++ {
		_, err = c.Get(ctx, rpcAs(&promotionsv1.GetRequest{Id: f.promotion}, tok))
	}
	wantRPCError(t, err, connect.CodeResourceExhausted, "RATE_LIMITED")
	var ce *connect.Error
	if errors.As(err, &ce); ce.Meta().Get("Retry-After") == "" {
		t.Fatalf("no Retry-After: %v", ce.Meta())
	}
}
