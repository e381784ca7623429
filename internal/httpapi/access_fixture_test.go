package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/notify"
	"github.com/usecapsule/capsule/internal/webhook"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/envstate"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identity/apikey"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/promotion"
	"github.com/usecapsule/capsule/internal/ratelimit"
	"github.com/usecapsule/capsule/internal/rbac"
	"github.com/usecapsule/capsule/internal/secretbox"
)

// testKeyring is the master key of the access tests.
func testKeyring(t testing.TB) *secretbox.Keyring {
	t.Helper()
	k, err := secretbox.NewKEK(bytes.Repeat([]byte{7}, secretbox.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return secretbox.NewKeyring(k)
}

// withKeyring configures the secret store and lifts the per-IP sign-in
// rate limit, since every test user signs in from 127.0.0.1.
func withKeyring(ring *secretbox.Keyring) func(*httpapi.Config) {
	return func(c *httpapi.Config) {
		c.Access.Keyring = ring
		c.Access.LoginRate = ratelimit.Rate{PerMinute: 6000, Burst: 1000}
	}
}

// team is an organization with one signed-in user per built-in role.
type team struct {
	e      *env
	ids    *identitystore.Store
	ring   *secretbox.Keyring
	tokens map[string]string // role -> access token
	users  map[string]string // role -> user id
}

var roleOrder = []string{rbac.Viewer, rbac.Developer, rbac.Admin, rbac.Owner}

// newTeam starts the API and signs in an owner (the env's admin user), and
// an admin, a developer and a viewer of the same organization. Each of them
// also owns a home organization, as every user does.
func newTeam(t *testing.T, dsn string, mutate ...func(*httpapi.Config)) *team {
	t.Helper()
	ring := testKeyring(t)
	e := newEnv(t, dsn, append([]func(*httpapi.Config){withKeyring(ring)}, mutate...)...)
	// The API's own identity store, so its caches see the fixtures' writes.
	tm := &team{e: e, ids: e.ids, ring: ring,
		tokens: map[string]string{rbac.Owner: e.token}, users: map[string]string{rbac.Owner: e.userID}}
	for _, role := range roleOrder[:3] {
		email := role + "-member@example.com"
		uid, _ := createUser(t, e.st, email, role+"-home")
		tm.join(t, e.orgID, uid, role)
		tm.users[role] = uid
		tm.tokens[role] = e.login(t, email, adminPassword).AccessToken
	}
	return tm
}

func (tm *team) join(t testing.TB, orgID, userID, role string) {
	t.Helper()
	m := &capsule.Member{OrganizationID: orgID, UserID: userID, Role: role, JoinedAt: time.Now().UTC()}
	// Through the API's store, so its read cache sees the new membership.
	if err := tm.e.api.Store().AddMember(context.Background(), m); err != nil {
		t.Fatalf("adding %s: %v", role, err)
	}
}

// fixture is one of everything the routes act on.
type fixture struct {
	org, project, dev, staging, prod, service, deployment string
	slug                                                  string // the organization's
	member                                                string // the viewer: a member admins may change or remove
	managed                                               string // a user only in this organization: admins administer them
	secret, apiKey, binding, customRole                   string
	preview                                               string
	cluster                                               string // with a credential, used by no environment
	agent, snapshot                                       string // the cluster's registered agent and a stored snapshot
	web, promotion                                        string // a service with an image, and its staging → production promotion
	webhook, webhookDelivery                              string // an outbound webhook and its test delivery
	notifyChannel, notifyRule                             string // a notification channel and a rule routing to it
}

// newFixture creates a fresh organization with the team's memberships and
// one of each resource in it, so destructive routes can run per role.
func (tm *team) newFixture(t testing.TB, slug string) fixture {
	t.Helper()
	ctx := context.Background()
	st := tm.e.api.Store()
	o := &capsule.Organization{Name: slug, Slug: slug}
	must(t, o.Validate())
	must(t, st.CreateOrganization(ctx, o, tm.users[rbac.Owner]))
	for _, role := range roleOrder[:3] {
		tm.join(t, o.ID, tm.users[role], role)
	}
	f := fixture{org: o.ID, slug: slug, member: tm.users[rbac.Viewer]}
	mu := &capsule.User{Email: slug + "-managed@example.com", Name: "Managed"}
	must(t, st.CreateUser(ctx, mu))
	tm.join(t, o.ID, mu.ID, rbac.Developer)
	f.managed = mu.ID
	p := &capsule.Project{OrganizationID: o.ID, Name: "shop", Slug: "shop"}
	must(t, p.Validate())
	must(t, st.CreateProject(ctx, p))
	f.project = p.ID
	for kind, dst := range map[string]*string{capsule.EnvDevelopment: &f.dev, capsule.EnvStaging: &f.staging, capsule.EnvProduction: &f.prod} {
		en := &capsule.Environment{ProjectID: p.ID, Name: kind, Kind: kind}
		must(t, en.Validate())
		must(t, st.CreateEnvironment(ctx, en))
		*dst = en.ID
	}
	s := &capsule.Service{ProjectID: p.ID, Name: "api", Type: capsule.ServiceAPI}
	must(t, s.Validate())
	must(t, st.CreateService(ctx, s, tm.users[rbac.Owner]))
	f.service = s.ID
	d := &capsule.Deployment{ServiceID: s.ID, EnvironmentID: f.staging, Revision: 1, Version: "v1"}
	must(t, st.CreateDeployment(ctx, d))
	f.deployment = d.ID
	sec := &identitystore.Secret{OrganizationID: o.ID, ProjectID: p.ID, Name: "DB_PASSWORD", CreatedBy: tm.users[rbac.Owner]}
	must(t, tm.ids.PutSecret(ctx, sec, func(id string, v int) (secretbox.Sealed, error) {
		return tm.ring.Seal([]byte("hunter2-hunter2"), identity.SecretAAD(id, v))
	}, time.Now()))
	f.secret = sec.ID
	gen, err := apikey.Generate()
	must(t, err)
	must(t, tm.ids.CreateAPIKey(ctx, &apikey.APIKey{ID: gen.ID, OrganizationID: o.ID, Name: "ci", Role: rbac.Developer,
		Hash: gen.Hash, CreatedBy: tm.users[rbac.Owner], CreatedAt: time.Now()}))
	f.apiKey = gen.ID
	f.customRole = "release-manager"
	must(t, tm.ids.CreateCustomRole(ctx, o.ID, rbac.Role{Name: f.customRole, Permissions: []rbac.Permission{rbac.PromotionApprove}}, time.Now()))
	b := &identitystore.RoleBinding{OrganizationID: o.ID, UserID: tm.users[rbac.Developer], Role: rbac.Viewer, ProjectID: p.ID, CreatedBy: tm.users[rbac.Owner], CreatedAt: time.Now()}
	must(t, tm.ids.CreateRoleBinding(ctx, b))
	f.binding = b.ID
	pv := &capsule.Preview{OrganizationID: o.ID, ProjectID: p.ID, RiskLevel: "low",
		Result: json.RawMessage(`{"diff":{"added":[],"removed":[],"modified":[],"changes":[]},"risk_level":"low","risks":[],"explanation":"No change."}`)}
	must(t, st.CreatePreview(ctx, pv))
	f.preview = pv.ID
	f.cluster = tm.newCluster(t, o.ID, "prod-eu")
	f.agent, f.snapshot = tm.newAgent(t, f.cluster, o.ID)
	f.web, f.promotion = tm.newPromotion(t, f)
	f.webhook, f.webhookDelivery = tm.newWebhook(t, o.ID)
	f.notifyChannel, f.notifyRule = tm.newNotification(t, o.ID)
	return f
}

// newNotification adds a Slack channel whose URL the guarded client
// refuses (a test send answers at once, undelivered) and a rule.
func (tm *team) newNotification(t testing.TB, orgID string) (channelID, ruleID string) {
	t.Helper()
	svc := tm.e.api.Notifications()
	c, err := svc.CreateChannel(context.Background(), orgID, tm.users[rbac.Owner], notify.ChannelInput{Name: "deploys",
		Kind: notify.KindSlackWebhook, Secret: notify.ChannelSecret{URL: "http://127.0.0.1:9/hook"}})
	must(t, err)
	r, err := svc.CreateRule(context.Background(), orgID, tm.users[rbac.Owner], notify.RuleInput{ChannelID: c.ID})
	must(t, err)
	return c.ID, r.ID
}

// newWebhook subscribes a (never called) URL and queues a test message.
func (tm *team) newWebhook(t testing.TB, orgID string) (id, deliveryID string) {
	t.Helper()
	svc := tm.e.api.Webhooks()
	c, err := svc.Create(context.Background(), orgID, tm.users[rbac.Owner], webhook.Input{URL: "https://hooks.example.com/capsule", Events: []string{"deployment.*"}})
	must(t, err)
	d, err := svc.Test(context.Background(), &c.Subscription)
	must(t, err)
	return c.ID, d.ID
}

// newCluster registers a cluster holding a (never checked) credential,
// as the store records one after a passed check.
func (tm *team) newCluster(t testing.TB, orgID, name string) string {
	t.Helper()
	ctx := context.Background()
	st := tm.e.api.Store()
	c := &capsule.Cluster{OrganizationID: orgID, Name: name, CloudProvider: "aws", Region: "eu-west-1"}
	must(t, st.CreateCluster(ctx, c))
	sec := &identitystore.Secret{OrganizationID: orgID, Name: "capsule.cluster." + c.ID + ".credential", CreatedBy: tm.users[rbac.Owner]}
	cred := `{"server":"https://10.0.0.1:6443","token":"fixture-cluster-token"}`
	must(t, tm.ids.PutSecret(ctx, sec, func(id string, v int) (secretbox.Sealed, error) {
		return tm.ring.Seal([]byte(cred), identity.SecretAAD(id, v))
	}, time.Now()))
	_, err := st.SetClusterCredential(ctx, c.ID, capsule.ClusterCheck{SecretID: sec.ID, ServerVersion: "v1.34.3", CheckedAt: time.Now()})
	must(t, err)
	return c.ID
}

// newAgent registers an agent for the cluster (through the inventory, as
// a join token would) and stores a snapshot of its (empty) picture.
func (tm *team) newAgent(t testing.TB, clusterID, orgID string) (agentID, snapshotID string) {
	t.Helper()
	ctx := context.Background()
	inv := tm.e.api.Inventory()
	tok, _, err := inv.IssueJoinToken(ctx, clusterID, orgID, tm.users[rbac.Owner], time.Hour)
	must(t, err)
	r, err := inv.Register(ctx, agentproto.RegisterRequest{Version: agentproto.Version, Token: tok}, "")
	must(t, err)
	snap, err := inv.TakeSnapshot(ctx, clusterID, tm.users[rbac.Owner])
	must(t, err)
	return r.AgentID, snap.ID
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// path fills a route pattern's parameters from the fixture.
func (f fixture) path(pattern string) string {
	res := strings.SplitN(strings.TrimPrefix(pattern, "/api/v1/"), "/", 2)[0]
	id := map[string]string{"organizations": f.org, "projects": f.project, "environments": f.prod,
		"services": f.service, "deployments": f.deployment, "secrets": f.secret, "previews": f.preview,
		"clusters": f.cluster, "agents": f.agent, "promotions": f.promotion,
		"webhooks": f.webhook, "notifications": f.notifyChannel}[res]
	pattern = strings.Replace(pattern, "/users/{userId}", "/users/"+f.managed, 1)
	pattern = strings.Replace(pattern, "/notifications/rules/{id}", "/notifications/rules/"+f.notifyRule, 1)
	return strings.NewReplacer("{id}", id, "{keyId}", f.apiKey, "{bindingId}", f.binding, "{name}", f.customRole,
		"{userId}", f.member, "{number}", "1", "{file}", "index.html",
		"{snapshotId}", f.snapshot, "{deliveryId}", f.webhookDelivery).Replace(pattern)
}

// send makes one request with an access token (or any headers) and returns
// the status and body.
func send(t testing.TB, e *env, method, path string, headers map[string]string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		must(t, err)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	must(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := e.srv.Client().Do(req)
	must(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp.StatusCode, out
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// errorCode returns the error code of an error body.
func errorCode(body []byte) string {
	var b httpapi.ErrorBody
	_ = json.Unmarshal(body, &b)
	return b.Error.Code
}

// newPromotion adds a service with an image and a pending promotion of it
// from staging to production, requested by the managed developer (so no
// role of the matrix approves its own request).
func (tm *team) newPromotion(t testing.TB, f fixture) (string, string) {
	t.Helper()
	ctx := context.Background()
	web := &capsule.Service{ProjectID: f.project, Name: "web", Type: capsule.ServiceWeb,
		Source: capsule.ServiceSource{Image: "ghcr.io/acme/web:1"}, Config: capsule.ServiceConfig{Networking: capsule.Networking{Port: 8080}}}
	must(t, tm.e.api.Store().CreateService(ctx, web, tm.users[rbac.Owner]))
	runs := promotion.DeployRuns{Store: tm.e.st}
	cur := promotion.EnvState{Reader: &envstate.Reader{Store: tm.e.st}}
	pv, err := promotion.New(promotion.Config{Store: tm.e.api.Store(), Current: cur, Releases: runs}).Preview(ctx,
		promotion.Request{ServiceID: web.ID, SourceEnvID: f.staging, TargetEnvID: f.prod, RequestedBy: f.managed})
	must(t, err)
	return web.ID, pv.Promotion.ID
}
