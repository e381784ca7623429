package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	promotionsv1 "github.com/usecapsule/capsule/internal/gen/capsule/promotions/v1"
	"github.com/usecapsule/capsule/internal/gen/capsule/promotions/v1/promotionsv1connect"
	"github.com/usecapsule/capsule/internal/rbac"
)

// rpcCodeOfStatus is the contract between REST statuses and RPC codes.
var rpcCodeOfStatus = map[int]connect.Code{400: connect.CodeInvalidArgument, 401: connect.CodeUnauthenticated,
	403: connect.CodePermissionDenied, 404: connect.CodeNotFound, 409: connect.CodeFailedPrecondition,
	412: connect.CodeFailedPrecondition, 429: connect.CodeResourceExhausted, 501: connect.CodeUnimplemented}

// rpcTwinCase is one RPC beside its REST twin.
type rpcTwinCase struct {
	name         string
	method, path string
	body         any
	field        string // the RPC response field the REST answer is (diff, cost)
	out          proto.Message
}

func rpcCall[Req, Res any](f func(context.Context, *connect.Request[Req]) (*connect.Response[Res], error), msg *Req) func(context.Context, string) error {
	return func(ctx context.Context, tok string) error {
		_, err := f(ctx, rpcAs(msg, tok))
		return err
	}
}

// TestPromotionRPCMatchesREST: for every role of the organization and for
// a user outside it, each RPC answers as its REST twin does (success, or the
// RPC code of the twin's status with the twin's error code), and each
// successful REST answer reads into the RPC's message with no field left
// over, so the messages mirror the REST JSON.
func TestPromotionRPCMatchesREST(t *testing.T) {
	tm := newTeam(t, sqliteDSN(t))
	f := tm.newFixture(t, "rpc-matrix")
	e := tm.e
	createUser(t, e.st, "outsider@example.com", "outsider-home")
	tokens := map[string]string{"outsider": e.login(t, "outsider@example.com", adminPassword).AccessToken}
	for _, r := range roleOrder {
		tokens[r] = tm.tokens[r]
	}
	srv := h2cServer(t, e.api)
	c := promotionsv1connect.NewPromotionServiceClient(h2cClient(), srv.URL, connect.WithGRPC())
	id := f.promotion
	get := &promotionsv1.GetRequest{Id: id}
	p := "/api/v1/promotions/" + id
	reads := []rpcTwinCase{
		{name: "Get", method: "GET", path: p, out: &promotionsv1.Promotion{}},
		{name: "GetDiff", method: "GET", path: p + "/diff", field: "diff", out: &promotionsv1.GetDiffResponse{}},
		{name: "GetCost", method: "GET", path: p + "/cost", field: "estimated_cost", out: &promotionsv1.GetCostResponse{}},
		{name: "GetRisk", method: "GET", path: p + "/risk", out: &promotionsv1.GetRiskResponse{}},
		{name: "GetExplanation", method: "GET", path: p + "/explanation", out: &promotionsv1.GetExplanationResponse{}},
		{name: "List", method: "GET", path: "/api/v1/promotions?projectId=" + f.project, out: &promotionsv1.ListResponse{}},
	}
	calls := map[string]func(context.Context, string) error{
		"Get": rpcCall(c.Get, get), "GetDiff": rpcCall(c.GetDiff, get), "GetCost": rpcCall(c.GetCost, get),
		"GetRisk": rpcCall(c.GetRisk, get), "GetExplanation": rpcCall(c.GetExplanation, get),
		"List":    rpcCall(c.List, &promotionsv1.ListRequest{ProjectId: f.project}),
		"Approve": rpcCall(c.Approve, &promotionsv1.DecisionRequest{Id: id}),
		"Reject":  rpcCall(c.Reject, &promotionsv1.DecisionRequest{Id: id}),
		"Preview": rpcCall(c.Preview, &promotionsv1.PreviewRequest{ServiceId: f.web, SourceEnvId: f.staging, TargetEnvId: f.prod}),
	}
	// Decisions and previews change state: they run after every read, as
	// roles refused a decision (TestPromotionRPC approves); a viewer may
	// preview (promotion:preview), which supersedes the promotion read.
	writes := []rpcTwinCase{
		{name: "Approve", method: "POST", path: p + "/approve", body: map[string]string{}, out: &promotionsv1.Promotion{}},
		{name: "Reject", method: "POST", path: p + "/reject", body: map[string]string{}, out: &promotionsv1.Promotion{}},
		{name: "Preview", method: "POST", path: "/api/v1/promotions/preview", body: map[string]string{"service_id": f.web, "source_env_id": f.staging, "target_env_id": f.prod}, out: &promotionsv1.PreviewResponse{}},
	}
	ctx := context.Background()
	check := func(t *testing.T, who string, tc rpcTwinCase) {
		st, body := send(t, e, tc.method, tc.path, bearer(tokens[who]), tc.body)
		err := calls[tc.name](ctx, tokens[who])
		if st < 300 {
			if err != nil {
				t.Fatalf("%s as %s: REST %d, RPC %v", tc.name, who, st, err)
			}
			if tc.field != "" {
				body = []byte(fmt.Sprintf(`{%q:%s}`, tc.field, body))
			}
			if err := protojson.Unmarshal(body, tc.out); err != nil {
				t.Fatalf("%s: the REST answer does not read into %T: %v\n%s", tc.name, tc.out, err, body)
			}
			return
		}
		var ce *connect.Error
		if !errors.As(err, &ce) || ce.Code() != rpcCodeOfStatus[st] || ce.Meta().Get("Capsule-Error-Code") != errorCode(body) {
			t.Fatalf("%s as %s: REST %d %s, RPC %v (%s)", tc.name, who, st, errorCode(body), err, ce.Meta().Get("Capsule-Error-Code"))
		}
	}
	for _, who := range append(append([]string{}, roleOrder...), "outsider") {
		for _, tc := range reads {
			check(t, who, tc)
		}
	}
	for _, who := range []string{rbac.Viewer, "outsider"} {
		for _, tc := range writes {
			check(t, who, tc)
		}
	}
	check(t, rbac.Developer, writes[0]) // developers preview but do not approve

	// The reference gRPC implementation reaches the service too.
	conn, err := grpc.NewClient(strings.TrimPrefix(srv.URL, "http://"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	must(t, err)
	defer conn.Close()
	auth := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tokens[rbac.Viewer])
	var got promotionsv1.Promotion
	must(t, conn.Invoke(auth, promotionsv1connect.PromotionServiceGetProcedure, get, &got))
	if got.Id != id || got.Status != "superseded" { // the viewer's preview above replaced it
		t.Fatalf("grpc-go Get: %v", &got)
	}
	err = conn.Invoke(auth, promotionsv1connect.PromotionServiceApproveProcedure, &promotionsv1.DecisionRequest{Id: id}, &got)
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("grpc-go Approve as a viewer: %v", err)
	}
}
