package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// TestPromotionApprovedReachesWebhook: a subscription to promotion.* on a
// receiver on 127.0.0.1 gets promotion.previewed when a promotion is
// previewed through the API and a signed promotion.approved naming it when
// it is approved, each verified with the Standard Webhooks library.
func TestPromotionApprovedReachesWebhook(t *testing.T) {
	type msg struct {
		Type string
		Data struct{ PromotionID, Status string }
	}
	var (
		mu     sync.Mutex
		secret string
		got    []msg
		errs   []error
	)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		wh, err := standardwebhooks.NewWebhook(secret)
		if err == nil {
			err = wh.Verify(body, r.Header)
		}
		errs = append(errs, err)
		var m msg
		_ = json.Unmarshal(body, &m)
		got = append(got, m)
	}))
	defer recv.Close()
	s := startWith(t, Options{DataDir: t.TempDir(), EgressAllow: "127.0.0.1"}, map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword})
	tok := login(t, s.addr, "owner@example.com", testPassword)
	call := func(method, path string, body any, out any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, "http://"+s.addr+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, raw)
			}
		}
	}
	var created struct{ ID, Secret string }
	call("POST", "/api/v1/webhooks", map[string]any{"url": recv.URL, "events": []string{"promotion.*"}}, &created)
	mu.Lock()
	secret = created.Secret
	mu.Unlock()

	var proj, staging, prod, svc struct{ ID string }
	call("POST", "/api/v1/projects", map[string]string{"name": "Shop", "slug": "shop"}, &proj)
	call("POST", "/api/v1/environments", map[string]any{"projectId": proj.ID, "name": "staging", "kind": "staging"}, &staging)
	call("POST", "/api/v1/environments", map[string]any{"projectId": proj.ID, "name": "production", "kind": "production",
		"approvalPolicy": map[string]any{"requiredApprovals": 1, "allowSelfApproval": true}}, &prod)
	call("POST", "/api/v1/services", map[string]any{"projectId": proj.ID, "name": "web", "type": "web",
		"source": map[string]string{"image": "ghcr.io/acme/web:1.0"}}, &svc)
	var pv struct {
		PromotionID string `json:"promotion_id"`
	}
	call("POST", "/api/v1/promotions/preview", map[string]string{"service_id": svc.ID, "source_env_id": staging.ID, "target_env_id": prod.ID}, &pv)
	call("POST", "/api/v1/promotions/"+pv.PromotionID+"/approve", map[string]string{"comment": "ship it"}, nil)

	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		msgs, failed := slices.Clone(got), slices.Clone(errs)
		mu.Unlock()
		types := map[string]msg{}
		for _, m := range msgs {
			types[m.Type] = m
		}
		a, approved := types["promotion.approved"]
		if approved && types["promotion.previewed"].Type != "" {
			for i, err := range failed {
				if err != nil {
					t.Errorf("request %d: verification failed: %v", i, err)
				}
			}
			if a.Data.PromotionID != pv.PromotionID || a.Data.Status != "approved" {
				t.Errorf("promotion.approved carries %+v, want promotion %s approved", a.Data, pv.PromotionID)
			}
			for _, m := range msgs {
				if m.Type[:len("promotion.")] != "promotion." {
					t.Errorf("a promotion.* subscription received %s", m.Type)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("received %+v; want promotion.previewed and promotion.approved", msgs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
