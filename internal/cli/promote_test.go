package cli

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/server"
	"github.com/usecapsule/capsule/internal/testenv"
)

// TestPromoteEndToEnd: a service running in staging is promoted to
// production on the simulated cluster. The preview adds the objects
// production lacks; the approval (the production policy lets the requester
// approve) starts a deployment of staging's image, which the cluster then
// runs; the promotion follows it to delivered; and promoting again shows
// no change, since production now runs exactly what staging runs.
func TestPromoteEndToEnd(t *testing.T) {
	kc := testenv.Shared(t)
	url := startServerWith(t, t.TempDir(), func(o *server.Options) {
		o.EgressAllow = "127.0.0.1"
		o.DeployProgressDeadline = 20 * time.Second
		o.JobPoll = 100 * time.Millisecond
	})
	loginTo(t, url)
	var b [4]byte
	_, _ = rand.Read(b[:])
	suffix := hex.EncodeToString(b[:])
	staging, production := "ps-"+suffix, "pp-"+suffix

	mustRun(t, "clusters", "add", "sim", "--kubeconfig", kc.Kubeconfig)
	mustRun(t, "projects", "create", "Shop")
	mustRun(t, "envs", "create", "staging", "--project", "shop", "--kind", "staging", "--cluster", "sim", "--namespace", staging)
	prod := writeFile(t, "production.yaml", "name: production\nprojectId: shop\nkind: production\nnamespace: "+production+
		"\napprovalPolicy:\n  requiredApprovals: 1\n  allowSelfApproval: true\n")
	mustRun(t, "envs", "create", "-f", prod, "--cluster", "sim")
	mustRun(t, "services", "create", "web", "--project", "shop", "--type", "web", "--port", "8080")
	mustRun(t, "deploy", "web", "--env", "staging", "--image", "ghcr.io/acme/web:2.0", "--wait", "--timeout", "2m")

	var pv struct {
		PromotionID string `json:"promotion_id"`
		Status      string `json:"status"`
		Summary     struct{ Added, Removed, Modified int }
	}
	out := mustRun(t, "promote", "web", "--from", "staging", "--to", "production", "-o", "json")
	must(t, json.Unmarshal([]byte(out), &pv))
	if pv.Status != "pending_approval" || pv.Summary.Added == 0 || pv.Summary.Modified != 0 {
		t.Fatalf("first promotion preview:\n%s", out)
	}
	if text := mustRun(t, "promotions", "get", pv.PromotionID); !strings.Contains(text, "pending_approval") || !strings.Contains(text, "ghcr.io/acme/web:2.0") {
		t.Fatalf("promotions get:\n%s", text)
	}
	out = mustRun(t, "promotions", "approve", pv.PromotionID, "--comment", "ship it", "-o", "json")
	var approved struct {
		Status   string
		Delivery struct{ DeploymentID string }
	}
	must(t, json.Unmarshal([]byte(out), &approved))
	if approved.Status != "delivering" || approved.Delivery.DeploymentID == "" {
		t.Fatalf("approval:\n%s", out)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		// The list follows the delivery as get does.
		var list []struct{ ID, Status, Note string }
		must(t, json.Unmarshal([]byte(mustRun(t, "promotions", "list", "-o", "json")), &list))
		if len(list) != 1 || list[0].ID != pv.PromotionID {
			t.Fatalf("promotions list: %+v", list)
		}
		got := list[0]
		if got.Status == "delivered" {
			raw := mustRun(t, "promotions", "get", pv.PromotionID, "-o", "json")
			if !strings.Contains(raw, `"status": "delivered"`) {
				t.Fatalf("promotions get after delivery:\n%s", raw)
			}
			break
		}
		if got.Status != "delivering" || time.Now().After(deadline) {
			t.Fatalf("promotion after approval: %s (%s)", got.Status, got.Note)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if w := workloadOf(t, kc, production, "web"); w.image != "ghcr.io/acme/web:2.0" || w.replicas < 1 {
		t.Fatalf("production runs %+v after the promotion", w)
	}
	out = mustRun(t, "promote", "web", "--from", "staging", "--to", "production", "-o", "json")
	must(t, json.Unmarshal([]byte(out), &pv))
	if pv.Summary.Added != 0 || pv.Summary.Removed != 0 || pv.Summary.Modified != 0 {
		t.Fatalf("promoting what production already runs shows a change:\n%s", out)
	}
}
