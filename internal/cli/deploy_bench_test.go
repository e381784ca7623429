package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/server"
	"github.com/usecapsule/capsule/internal/testenv"
)

// BenchmarkDeployInitiation measures how long a deploy takes from the API
// call to its job applying: POST /services/{id}/deploy until the record
// says deploying (the job was claimed, the record and the started event
// written, the engine about to apply). Each rollout is then awaited
// outside the timer, so deploys do not queue behind each other.
func BenchmarkDeployInitiation(b *testing.B) {
	kc := testenv.Shared(b)
	url := startServerWith(b, b.TempDir(), func(o *server.Options) {
		o.EgressAllow = "127.0.0.1"
		o.JobPoll = time.Second // the API's wake, not the poll, must start the job
	})
	ctx := context.Background()
	c, err := apiclient.New(url, "")
	if err != nil {
		b.Fatal(err)
	}
	tok, err := c.Login(ctx, "admin@localhost", testPassword)
	if err != nil {
		b.Fatal(err)
	}
	c.Token = tok.AccessToken
	cred, err := readKubeconfig(kc.Kubeconfig, "")
	if err != nil {
		b.Fatal(err)
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	ns := "dwb-" + hex.EncodeToString(rnd[:])
	var cl, p, env, svc map[string]any
	post := func(path string, body any, out *map[string]any) {
		if err := c.Do(ctx, "POST", path, body, out); err != nil {
			b.Fatalf("POST %s: %v", path, err)
		}
	}
	post("/api/v1/clusters", map[string]any{"name": "sim", "credential": map[string]any{"kubeconfig": cred}}, &cl)
	post("/api/v1/projects", map[string]any{"name": "Bench", "slug": "bench"}, &p)
	post("/api/v1/environments", map[string]any{"projectId": p["id"], "name": "staging", "kind": "staging", "namespace": ns, "clusterId": cl["id"]}, &env)
	post("/api/v1/services", map[string]any{"projectId": p["id"], "name": "web", "type": "web", "configuration": map[string]any{"networking": map[string]any{"port": 8080}}}, &svc)
	read := func(id string) deploymentView {
		var d deploymentView
		if err := c.Do(ctx, "GET", "/api/v1/deployments/"+id, nil, &d); err != nil {
			b.Fatal(err)
		}
		return d
	}
	b.ResetTimer()
	for i := range b.N {
		var acc accepted
		if err := c.Do(ctx, "POST", fmt.Sprintf("/api/v1/services/%s/deploy", svc["id"]),
			map[string]any{"environmentId": env["id"], "image": fmt.Sprintf("ghcr.io/acme/web:%d", i)}, &acc); err != nil {
			b.Fatal(err)
		}
		for read(acc.ID).Status == "pending" {
			time.Sleep(2 * time.Millisecond)
		}
		b.StopTimer()
		deadline := time.Now().Add(2 * time.Minute)
		for d := read(acc.ID); d.Status == "deploying" || d.Status == "pending"; d = read(acc.ID) {
			if time.Now().After(deadline) {
				b.Fatalf("deployment %s still %s after 2 minutes", acc.ID, d.Status)
			}
			time.Sleep(50 * time.Millisecond)
		}
		b.StartTimer()
	}
}
