package httpapi

import (
	"net/http"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/billingstore"
	"github.com/usecapsule/capsule/internal/cost"
	"github.com/usecapsule/capsule/internal/deployer"
	"github.com/usecapsule/capsule/internal/diff"
	"github.com/usecapsule/capsule/internal/drift"
	"github.com/usecapsule/capsule/internal/envdiff"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/export"
	"github.com/usecapsule/capsule/internal/gitevents"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/inventory"
	"github.com/usecapsule/capsule/internal/kube"
	"github.com/usecapsule/capsule/internal/notify"
	"github.com/usecapsule/capsule/internal/rbac"
	"github.com/usecapsule/capsule/internal/webhook"
)

// handlerFunc is a route handler: it writes a response, or returns an error
// that the one error writer turns into the error shape.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Route is one entry of the route table: the router and the OpenAPI document
// are both built from these, so they cannot drift apart.
type Route struct {
	Method  string
	Path    string // a Go ServeMux path pattern, e.g. /api/v1/projects/{id}
	Summary string
	Tag     string
	// Permission is what the caller must hold in the resource's organization
	// (enforced by the identity package's RBAC; empty means any signed-in user).
	Permission string
	// Public routes need no bearer token.
	Public bool
	// Status is the success status; Request and Response are zero values of
	// the body types (nil for none). ContentType overrides application/json.
	Status      int
	Request     any
	Response    any
	ContentType string
	Query       []Param
	// Cacheable GETs may be answered from the read cache.
	Cacheable bool
	// NotImplemented routes answer 501 until their capability exists.
	NotImplemented bool
	// WebSocket routes upgrade the connection (Status 101); the guard also
	// accepts their credential as a "bearer.<token>" subprotocol.
	WebSocket bool
	// Upload routes stream a large request body (a billing file) to their
	// handler: the body limit is Config.MaxUploadBytes instead of
	// MaxBodyBytes, and the guard never reads the body (the scope comes from
	// the path and query alone; the audit summary is the query).
	Upload  bool
	Handler handlerFunc
}

// Param is a query parameter of a route.
type Param struct {
	Name        string
	Type        string // integer|string
	Description string
	Enum        []string
}

var (
	pageParams = []Param{
		{Name: "limit", Type: "integer", Description: "page size (default 50, at most 500)"},
		{Name: "cursor", Type: "string", Description: "nextCursor of the previous page"},
	}
	orgParam     = Param{Name: "organizationId", Type: "string", Description: "only this organization's items"}
	projectParam = Param{Name: "projectId", Type: "string", Description: "only this project's items"}
)

func withPage(ps ...Param) []Param { return append(append([]Param{}, ps...), pageParams...) }

// routes is the route table of the control plane.
func routes(a *API) []Route {
	st := a.cfg.Store
	ok, created, none := http.StatusOK, http.StatusCreated, http.StatusNoContent
	return []Route{
		// Operations and documentation.
		{Method: "GET", Path: "/healthz", Summary: "Liveness: the process serves HTTP", Tag: "operations", Public: true, Status: ok, Response: Health{}, Handler: healthz},
		{Method: "GET", Path: "/readyz", Summary: "Readiness: the database is reachable and migrated", Tag: "operations", Public: true, Status: ok, Response: Health{}, Handler: readyz(st, a.chain, a.log)},
		{Method: "GET", Path: "/metrics", Summary: "Prometheus metrics", Tag: "operations", Public: true, Status: ok, ContentType: "text/plain", Handler: a.metrics.handler()},
		{Method: "GET", Path: "/api/documentation", Summary: "Swagger UI", Tag: "documentation", Public: true, Status: ok, ContentType: "text/html", Handler: swaggerIndex},
		{Method: "GET", Path: "/api/documentation/{file}", Summary: "Swagger UI assets", Tag: "documentation", Public: true, Status: ok, ContentType: "application/octet-stream", Handler: swaggerAsset},
		{Method: "GET", Path: "/api/documentation.json", Summary: "This OpenAPI document as JSON", Tag: "documentation", Public: true, Status: ok, Handler: a.serveDocument("json")},
		{Method: "GET", Path: "/api/documentation.yaml", Summary: "This OpenAPI document as YAML", Tag: "documentation", Public: true, Status: ok, ContentType: "application/yaml", Handler: a.serveDocument("yaml")},

		// Authentication.
		{Method: "POST", Path: "/api/v1/auth/login", Summary: "Sign in with email and password", Tag: "auth", Public: true, Status: ok, Request: LoginRequest{}, Response: TokenResponse{}, Handler: a.login},
		{Method: "POST", Path: "/api/v1/auth/refresh", Summary: "Exchange a refresh token for new tokens (the refresh token rotates)", Tag: "auth", Public: true, Status: ok, Request: RefreshRequest{}, Response: TokenResponse{}, Handler: a.refresh},
		{Method: "POST", Path: "/api/v1/auth/logout", Summary: "Revoke the session's refresh tokens", Tag: "auth", Status: none, Handler: a.logout},
		{Method: "GET", Path: "/api/v1/auth/me", Summary: "The signed-in user and their memberships", Tag: "auth", Status: ok, Response: Me{}, Handler: me(st)},

		// Organizations.
		{Method: "GET", Path: "/api/v1/organizations", Summary: "List the caller's organizations", Tag: "organizations", Permission: "organization:view", Status: ok, Response: capsule.List[capsule.Organization]{}, Query: pageParams, Cacheable: true, Handler: listOrganizations(st)},
		{Method: "POST", Path: "/api/v1/organizations", Summary: "Create an organization owned by the caller", Tag: "organizations", Permission: "organization:create", Status: created, Request: capsule.Organization{}, Response: capsule.Organization{}, Handler: createOrganization(st)},
		{Method: "GET", Path: "/api/v1/organizations/{id}", Summary: "Get an organization", Tag: "organizations", Permission: "organization:view", Status: ok, Response: capsule.Organization{}, Handler: getOrganization(st)},
		{Method: "PUT", Path: "/api/v1/organizations/{id}", Summary: "Update an organization", Tag: "organizations", Permission: "organization:edit", Status: ok, Request: capsule.Organization{}, Response: capsule.Organization{}, Handler: updateOrganization(st)},
		{Method: "DELETE", Path: "/api/v1/organizations/{id}", Summary: "Delete an organization and everything it owns (owners only; confirm must repeat its slug or name)", Tag: "organizations", Permission: "organization:delete", Status: none,
			Query: []Param{{Name: "confirm", Type: "string", Description: "the organization's slug or name, required: 400 CONFIRMATION_REQUIRED without it, CONFIRMATION_MISMATCH when it names another"}}, Handler: deleteOrganization(st)},

		// Projects.
		{Method: "GET", Path: "/api/v1/projects", Summary: "List projects", Tag: "projects", Permission: "project:view", Status: ok, Response: capsule.List[capsule.Project]{}, Query: withPage(orgParam), Cacheable: true, Handler: listProjects(st)},
		{Method: "POST", Path: "/api/v1/projects", Summary: "Create a project (in the caller's only or default organization when organizationId is empty)", Tag: "projects", Permission: "project:create", Status: created, Request: capsule.Project{}, Response: capsule.Project{}, Handler: createProject(st)},
		{Method: "GET", Path: "/api/v1/projects/{id}", Summary: "Get a project", Tag: "projects", Permission: "project:view", Status: ok, Response: capsule.Project{}, Handler: getProject(st)},
		{Method: "PUT", Path: "/api/v1/projects/{id}", Summary: "Update a project", Tag: "projects", Permission: "project:edit", Status: ok, Request: capsule.Project{}, Response: capsule.Project{}, Handler: updateProject(st)},
		{Method: "DELETE", Path: "/api/v1/projects/{id}", Summary: "Delete a project with its environments, services, revisions and deployments", Tag: "projects", Permission: "project:delete", Status: none, Handler: deleteProject(st)},
		{Method: "GET", Path: "/api/v1/projects/{id}/export", Summary: "Export the project as plain files in a tar.gz (format kustomize|helm|terraform|compose|all): Kustomize overlays, a Helm chart, Terraform, Docker Compose and docs, secrets as references only; audited", Tag: "projects", Permission: "project:view", Status: ok, ContentType: "application/gzip",
			Query: []Param{{Name: "format", Type: "string", Description: "what to export (default all)", Enum: export.ValidFormats}}, Handler: a.access.exportProject},

		// Environments.
		{Method: "GET", Path: "/api/v1/environments", Summary: "List environments", Tag: "environments", Permission: "environment:view", Status: ok, Response: capsule.List[capsule.Environment]{},
			Query: withPage(projectParam, Param{Name: "kind", Type: "string", Description: "only environments of this kind", Enum: envKinds}), Cacheable: true, Handler: listEnvironments(st)},
		{Method: "POST", Path: "/api/v1/environments", Summary: "Create an environment", Tag: "environments", Permission: "environment:create", Status: created, Request: capsule.Environment{}, Response: capsule.Environment{}, Handler: createEnvironment(st)},
		{Method: "GET", Path: "/api/v1/environments/{id}", Summary: "Get an environment, with the result of its last periodic drift check (drift, absent before the first)", Tag: "environments", Permission: "environment:view", Status: ok, Response: EnvironmentView{}, Handler: getEnvironment(st, a.drifts)},
		{Method: "PUT", Path: "/api/v1/environments/{id}", Summary: "Update an environment", Tag: "environments", Permission: "environment:edit", Status: ok, Request: capsule.Environment{}, Response: capsule.Environment{}, Handler: updateEnvironment(st)},
		{Method: "DELETE", Path: "/api/v1/environments/{id}", Summary: "Delete an environment", Tag: "environments", Permission: "environment:delete", Status: none, Handler: deleteEnvironment(st)},

		// Clusters and their write credentials.
		{Method: "GET", Path: "/api/v1/clusters", Summary: "List clusters (never their credentials)", Tag: "clusters", Permission: "cluster:view", Status: ok, Response: capsule.List[capsule.Cluster]{},
			Query: withPage(orgParam, Param{Name: "name", Type: "string", Description: "only the cluster of this name"}), Cacheable: true, Handler: listClusters(st)},
		{Method: "POST", Path: "/api/v1/clusters", Summary: "Register a cluster, optionally with its write credential (checked first: reachable, and every permission deploys need)", Tag: "clusters", Permission: "cluster:create", Status: created, Request: ClusterRequest{}, Response: capsule.Cluster{}, Query: []Param{orgParam}, Handler: a.access.createCluster},
		{Method: "GET", Path: "/api/v1/clusters/{id}", Summary: "Get a cluster", Tag: "clusters", Permission: "cluster:view", Status: ok, Response: capsule.Cluster{}, Handler: getCluster(st)},
		{Method: "PATCH", Path: "/api/v1/clusters/{id}", Summary: "Change a cluster's name, provider, region or metadata", Tag: "clusters", Permission: "cluster:update", Status: ok, Request: ClusterPatch{}, Response: capsule.Cluster{}, Handler: a.access.patchCluster},
		{Method: "DELETE", Path: "/api/v1/clusters/{id}", Summary: "Delete a cluster and its credential (409 CLUSTER_IN_USE while environments deploy to it)", Tag: "clusters", Permission: "cluster:delete", Status: none, Handler: a.access.deleteCluster},
		{Method: "PUT", Path: "/api/v1/clusters/{id}/credential", Summary: "Set the cluster's write credential (kubeconfig and context, or server, CA and token), checked first; never returned", Tag: "clusters", Permission: "cluster:credential", Status: ok, Request: kube.Credential{}, Response: capsule.Cluster{}, Handler: a.access.putClusterCredential},
		{Method: "DELETE", Path: "/api/v1/clusters/{id}/credential", Summary: "Forget the cluster's write credential", Tag: "clusters", Permission: "cluster:credential", Status: none, Handler: a.access.deleteClusterCredential},

		// Services and their revisions.
		{Method: "GET", Path: "/api/v1/services", Summary: "List services", Tag: "services", Permission: "service:view", Status: ok, Response: capsule.List[capsule.Service]{},
			Query: withPage(projectParam, Param{Name: "type", Type: "string", Description: "only services of this type", Enum: serviceTypes}, Param{Name: "status", Type: "string", Description: "only services with this status"}), Cacheable: true, Handler: listServices(st)},
		{Method: "POST", Path: "/api/v1/services", Summary: "Create a service (and its revision 1)", Tag: "services", Permission: "service:create", Status: created, Request: capsule.Service{}, Response: capsule.Service{}, Handler: createService(st)},
		{Method: "GET", Path: "/api/v1/services/{id}", Summary: "Get a service", Tag: "services", Permission: "service:view", Status: ok, Response: capsule.Service{}, Handler: getService(st)},
		{Method: "PUT", Path: "/api/v1/services/{id}", Summary: "Update a service (a changed type, source or configuration makes the next revision)", Tag: "services", Permission: "service:edit", Status: ok, Request: capsule.Service{}, Response: capsule.Service{}, Handler: updateService(st)},
		{Method: "DELETE", Path: "/api/v1/services/{id}", Summary: "Delete a service with its revisions and deployments", Tag: "services", Permission: "service:delete", Status: none, Handler: deleteService(st)},
		{Method: "GET", Path: "/api/v1/services/{id}/revisions", Summary: "List a service's configuration revisions", Tag: "services", Permission: "service:view", Status: ok, Response: capsule.List[capsule.ServiceRevision]{}, Query: pageParams, Cacheable: true, Handler: listRevisions(st)},
		{Method: "GET", Path: "/api/v1/services/{id}/revisions/{number}", Summary: "Get one configuration revision", Tag: "services", Permission: "service:view", Status: ok, Response: capsule.ServiceRevision{}, Handler: getRevision(st)},
		{Method: "GET", Path: "/api/v1/services/{id}/revisions/compare", Summary: "Compare two revisions: the changed fields as JSON pointers with their from and to values", Tag: "services", Permission: "service:view", Status: ok, Response: RevisionComparison{},
			Query: []Param{{Name: "from", Type: "integer", Description: "the older revision number"}, {Name: "to", Type: "integer", Description: "the newer revision number"}}, Handler: compareRevisions(st)},
		{Method: "POST", Path: "/api/v1/services/{id}/deploy", Summary: "Deploy an image of the service to an environment: records the deployment (pending) and queues its job (queued: true while another deployment of the service in the environment runs); 409 ENVIRONMENT_HAS_NO_CLUSTER, CLUSTER_HAS_NO_CREDENTIAL or GITOPS_DELIVERY when Capsule cannot apply there", Tag: "services", Permission: "service:deploy", Status: http.StatusAccepted, Request: deployer.DeployRequest{}, Response: deployer.Accepted{}, Handler: a.deployService},
		{Method: "POST", Path: "/api/v1/services/{id}/rollback", Summary: "Put an earlier release of the service back in an environment (default: the newest successful one before the running release); its kept objects are applied again", Tag: "services", Permission: "service:rollback", Status: http.StatusAccepted, Request: deployer.RollbackRequest{}, Response: deployer.Accepted{}, Handler: a.rollbackService},
		{Method: "POST", Path: "/api/v1/services/{id}/scale", Summary: "Set the replica count of the service's running release in an environment (409 NOTHING_DEPLOYED before its first successful deploy)", Tag: "services", Permission: "service:scale", Status: http.StatusAccepted, Request: deployer.ScaleRequest{}, Response: deployer.Accepted{}, Handler: a.scaleService},

		// Deployments.
		{Method: "GET", Path: "/api/v1/deployments", Summary: "List deployments, newest first", Tag: "deployments", Permission: "deployment:view", Status: ok, Response: capsule.List[capsule.Deployment]{},
			Query: withPage(projectParam, Param{Name: "environmentId", Type: "string", Description: "only deployments to this environment"}, Param{Name: "serviceId", Type: "string", Description: "only deployments of this service"},
				Param{Name: "status", Type: "string", Description: "only deployments with this status", Enum: capsule.DeploymentStatuses}), Cacheable: true, Handler: listDeployments(st)},
		{Method: "GET", Path: "/api/v1/deployments/{id}", Summary: "Get a deployment", Tag: "deployments", Permission: "deployment:view", Status: ok, Response: capsule.Deployment{}, Handler: getDeployment(st)},
		{Method: "GET", Path: "/api/v1/events", Summary: "Live events (WebSocket, subprotocol " + EventsProtocol + "): deployment.started|progress|completed|failed, log.stdout|stderr and stream.lagged, of the scopes the caller may deployment:view", Tag: "deployments", Permission: "deployment:view",
			Status: http.StatusSwitchingProtocols, Response: events.Event{}, Query: eventParams, WebSocket: true, Handler: a.streamEvents},
		{Method: "POST", Path: "/api/v1/deployments/{id}/cancel", Summary: "Cancel a pending, building or deploying deployment (409 otherwise): a queued job at once, a running one within seconds (the engine stops where it is, without rolling back)", Tag: "deployments", Permission: "deployment:cancel", Status: ok, Response: capsule.Deployment{}, Handler: a.cancelDeploymentRun},
		{Method: "GET", Path: "/api/v1/deployments/{id}/logs", Summary: "The logs of the pods of the deployment's service in its environment, each line prefixed with its pod (text; chunked until the client leaves with follow=true); 503 POD_LOGS_UNAVAILABLE when no pod's logs can be read", Tag: "deployments", Permission: "deployment:view", Status: ok, ContentType: "text/plain",
			Query: []Param{{Name: "follow", Type: "string", Description: "true: keep streaming new lines"}, {Name: "since", Type: "string", Description: "only lines newer than this duration, e.g. 10m"}, {Name: "container", Type: "string", Description: "container name (default: each pod's first)"}}, Handler: a.deploymentLogs},

		// Identity and access (issue 6): API keys, roles, the audit log, secrets.
		{Method: "GET", Path: "/api/v1/organizations/{id}/api-keys", Summary: "List the organization's API keys (never their secrets)", Tag: "access", Permission: "org:manage", Status: ok, Response: APIKeyList{}, Handler: a.access.listAPIKeys},
		{Method: "POST", Path: "/api/v1/organizations/{id}/api-keys", Summary: "Create an API key (cap_...) with a role, optionally for one project; the key is shown once", Tag: "access", Permission: "org:manage", Status: created, Request: CreateAPIKeyRequest{}, Response: CreatedAPIKey{}, Handler: a.access.createAPIKey},
		{Method: "DELETE", Path: "/api/v1/organizations/{id}/api-keys/{keyId}", Summary: "Revoke an API key", Tag: "access", Permission: "org:manage", Status: none, Handler: a.access.revokeAPIKey},
		{Method: "GET", Path: "/api/v1/organizations/{id}/roles", Summary: "List the built-in and custom roles with their permissions", Tag: "access", Permission: "org:view", Status: ok, Response: RoleList{}, Handler: a.access.listRoles},
		{Method: "POST", Path: "/api/v1/organizations/{id}/roles", Summary: "Create a custom role", Tag: "access", Permission: "org:manage", Status: created, Request: rbac.Role{}, Response: rbac.Role{}, Handler: a.access.createRole},
		{Method: "DELETE", Path: "/api/v1/organizations/{id}/roles/{name}", Summary: "Delete a custom role (its bindings then grant nothing)", Tag: "access", Permission: "org:manage", Status: none, Handler: a.access.deleteRole},
		{Method: "GET", Path: "/api/v1/organizations/{id}/role-bindings", Summary: "List project- and environment-scoped role bindings", Tag: "access", Permission: "org:manage", Status: ok, Response: RoleBindingList{}, Query: []Param{{Name: "userId", Type: "string", Description: "only this user's bindings"}}, Handler: a.access.listRoleBindings},
		{Method: "POST", Path: "/api/v1/organizations/{id}/role-bindings", Summary: "Grant a member a role on one project or environment", Tag: "access", Permission: "org:manage", Status: created, Request: identity.RoleBinding{}, Response: identity.RoleBinding{}, Handler: a.access.createRoleBinding},
		{Method: "DELETE", Path: "/api/v1/organizations/{id}/role-bindings/{bindingId}", Summary: "Remove a role binding", Tag: "access", Permission: "org:manage", Status: none, Handler: a.access.deleteRoleBinding},
		{Method: "GET", Path: "/api/v1/audit/logs", Summary: "Search the audit log; export with format=jsonl or csv", Tag: "audit", Permission: "audit:view", Status: ok, Response: AuditList{}, Query: auditParams, Handler: a.access.listAudit},
		{Method: "GET", Path: "/api/v1/audit/logs/verify", Summary: "Verify the whole installation's audit hash chain and checkpoints (installation admins) and name the first altered, removed, inserted or truncated entry", Tag: "audit", Permission: "installation:admin", Status: ok, Response: AuditVerification{}, Handler: a.verifyAudit},
		{Method: "GET", Path: "/api/v1/organizations/{id}/audit/verify", Summary: "Verify the organization's audit entries through the installation's hash chain", Tag: "audit", Permission: "audit:view", Status: ok, Response: AuditVerification{}, Handler: a.access.verifyOrgAudit},
		{Method: "GET", Path: "/api/v1/audit/checkpoints", Summary: "Export the signed checkpoints of the audit chain's head (installation admins), to keep a copy elsewhere", Tag: "audit", Permission: "installation:admin", Status: ok, Response: AuditCheckpoints{}, Query: []Param{{Name: "limit", Type: "integer", Description: "how many of the newest (default 100, at most 1000)"}}, Handler: a.access.auditCheckpoints},
		{Method: "GET", Path: "/api/v1/secrets", Summary: "List secrets (names and versions, never values)", Tag: "secrets", Permission: "secrets:read", Status: ok, Response: SecretList{}, Query: []Param{orgParam, projectParam, {Name: "environmentId", Type: "string", Description: "only this environment's secrets"}}, Handler: a.access.listSecrets},
		{Method: "POST", Path: "/api/v1/secrets", Summary: "Create a secret, or add a version to the secret of that name in that scope", Tag: "secrets", Permission: "secrets:manage", Status: created, Request: SecretRequest{}, Response: identity.Secret{}, Handler: a.access.createSecret},
		{Method: "GET", Path: "/api/v1/secrets/{id}", Summary: "Get a secret's metadata", Tag: "secrets", Permission: "secrets:read", Status: ok, Response: identity.Secret{}, Handler: a.access.getSecret},
		{Method: "PUT", Path: "/api/v1/secrets/{id}", Summary: "Rotate a secret: store a new version of its value", Tag: "secrets", Permission: "secrets:manage", Status: ok, Request: SecretRequest{}, Response: identity.Secret{}, Handler: a.access.rotateSecret},
		{Method: "DELETE", Path: "/api/v1/secrets/{id}", Summary: "Delete a secret with all its versions", Tag: "secrets", Permission: "secrets:manage", Status: none, Handler: a.access.deleteSecret},
		{Method: "GET", Path: "/api/v1/secrets/{id}/value", Summary: "Read a secret's value (audited); version=N for an older one", Tag: "secrets", Permission: "secrets:read", Status: ok, Response: SecretValue{}, Query: []Param{{Name: "version", Type: "integer", Description: "the version (default: current)"}}, Handler: a.access.secretValue},
		{Method: "GET", Path: "/api/v1/auth/sessions", Summary: "Where the signed-in user is signed in: each live session (never its tokens)", Tag: "auth", Status: ok, Response: SignInList{}, Handler: a.listSessions},
		{Method: "DELETE", Path: "/api/v1/auth/sessions/{sessionId}", Summary: "Sign one of your sessions out (its refresh token at once, its access tokens within 500 ms)", Tag: "auth", Status: none, Handler: a.revokeSession},
		{Method: "GET", Path: "/api/v1/auth/mfa", Summary: "Whether the signed-in user has two-factor authentication", Tag: "auth", Status: ok, Response: MFAStatus{}, Handler: a.access.mfaStatus},
		{Method: "POST", Path: "/api/v1/auth/mfa/enroll", Summary: "Start TOTP enrolment: a secret and otpauth URI for an authenticator app", Tag: "auth", Status: ok, Response: MFAEnrollment{}, Handler: a.access.mfaEnroll},
		{Method: "POST", Path: "/api/v1/auth/mfa/confirm", Summary: "Confirm TOTP enrolment with a first code; answers the one-time recovery codes", Tag: "auth", Status: ok, Request: MFACodeRequest{}, Response: MFARecoveryCodes{}, Handler: a.access.mfaConfirm},
		{Method: "POST", Path: "/api/v1/auth/mfa/disable", Summary: "Turn two-factor authentication off (needs a current code or a recovery code)", Tag: "auth", Status: none, Request: MFACodeRequest{}, Handler: a.access.mfaDisable},
		{Method: "GET", Path: "/api/v1/organizations/{id}/sso", Summary: "The organization's OpenID Connect provider (never its client secret)", Tag: "access", Permission: "org:manage", Status: ok, Response: SSOConfig{}, Handler: a.access.getSSO},
		{Method: "PUT", Path: "/api/v1/organizations/{id}/sso", Summary: "Configure the organization's OpenID Connect provider (checked by discovery); new users get defaultRole", Tag: "access", Permission: "org:manage", Status: ok, Request: SSOConfigRequest{}, Response: SSOConfig{}, Handler: a.access.putSSO},
		{Method: "GET", Path: "/api/v1/auth/sso/{org}/login", Summary: "Start single sign-on for an organization (id or slug): redirect to its provider (authorization code with PKCE)", Tag: "auth", Public: true, Status: http.StatusFound, Handler: a.ssoLogin},
		{Method: "GET", Path: "/api/v1/auth/sso/callback", Summary: "Finish single sign-on: exchange the code, verify the ID token, answer Capsule tokens", Tag: "auth", Public: true, Status: ok, Response: TokenResponse{}, Handler: a.ssoCallback},
		{Method: "GET", Path: "/api/v1/users/me", Summary: "The signed-in user and their memberships", Tag: "users", Status: ok, Response: Me{}, Handler: me(st)},
		{Method: "GET", Path: "/api/v1/organizations/{id}/members", Summary: "List the organization's members and their roles", Tag: "users", Permission: "org:view", Status: ok, Response: capsule.List[capsule.Member]{}, Query: pageParams, Handler: a.access.listMembers},
		{Method: "PUT", Path: "/api/v1/organizations/{id}/members/{userId}", Summary: "Change a member's role (owners only by owners; never the last owner)", Tag: "users", Permission: "org:manage", Status: ok, Request: MemberRoleRequest{}, Response: capsule.Member{}, Handler: a.access.setMemberRole},
		{Method: "DELETE", Path: "/api/v1/organizations/{id}/members/{userId}", Summary: "Remove a member (never the last owner)", Tag: "users", Permission: "org:manage", Status: none, Handler: a.access.removeMember},
		{Method: "GET", Path: "/api/v1/organizations/{id}/users", Summary: "List the organization's users with their role and whether they are disabled", Tag: "users", Permission: "org:manage", Status: ok, Response: AdministeredUserList{}, Handler: a.access.listUsers},
		{Method: "POST", Path: "/api/v1/organizations/{id}/users", Summary: "Create a password user as a member (without a password one is generated and shown once)", Tag: "users", Permission: "org:manage", Status: created, Request: UserCreateRequest{}, Response: AdministeredUser{}, Handler: a.access.createUser},
		{Method: "POST", Path: "/api/v1/organizations/{id}/users/{userId}/disable", Summary: "Disable a user: no sign-in, every session revoked (you must manage all their organizations)", Tag: "users", Permission: "org:manage", Status: ok, Response: AdministeredUser{}, Handler: a.access.userAction(a.access.disableUser)},
		{Method: "POST", Path: "/api/v1/organizations/{id}/users/{userId}/enable", Summary: "Re-enable a disabled user", Tag: "users", Permission: "org:manage", Status: ok, Response: AdministeredUser{}, Handler: a.access.userAction(a.access.enableUser)},
		{Method: "POST", Path: "/api/v1/organizations/{id}/users/{userId}/reset-password", Summary: "Set a new password (generated and shown once when none is given) and revoke every session", Tag: "users", Permission: "org:manage", Status: ok, Request: PasswordResetRequest{}, Response: AdministeredUser{}, Handler: a.access.userAction(a.access.resetPassword)},
		{Method: "DELETE", Path: "/api/v1/organizations/{id}/users/{userId}", Summary: "Delete a user with their sessions and the organizations only they belong to (409 LAST_OWNER while others depend on them)", Tag: "users", Permission: "org:manage", Status: none, Handler: a.access.userAction(a.access.deleteUser)},
		{Method: "POST", Path: "/api/v1/organizations/{id}/invitations", Summary: "Invite an email address with a role; the token is shown once and valid 7 days", Tag: "users", Permission: "org:manage", Status: created, Request: InvitationRequest{}, Response: CreatedInvitation{}, Handler: a.access.invite},
		{Method: "POST", Path: "/api/v1/invitations/accept", Summary: "Accept an invitation addressed to the signed-in user's email", Tag: "users", Status: ok, Request: AcceptInvitationRequest{}, Response: capsule.Member{}, Handler: a.access.acceptInvitation},

		// Promotion previews (issue 3): diff, cost, risk and explanation of a change as one stored artifact.
		{Method: "POST", Path: "/api/v1/previews", Summary: "Preview a promotion from two manifest sets (and optional cluster state); the artifact is stored", Tag: "previews", Permission: "promotion:preview", Status: created, Request: PreviewRequest{}, Response: PreviewResponse{}, Handler: createPreview(st, a.cfg.Explainer)},
		{Method: "GET", Path: "/api/v1/previews/{id}", Summary: "Get a stored preview", Tag: "previews", Permission: "project:view", Status: ok, Response: PreviewResponse{}, Handler: getPreview(st)},
		{Method: "GET", Path: "/api/v1/previews/{id}/diff", Summary: "The preview's semantic diff", Tag: "previews", Permission: "project:view", Status: ok, Response: diff.Result{}, Handler: getPreviewPart(st, "diff")},
		{Method: "GET", Path: "/api/v1/previews/{id}/cost", Summary: "The preview's monthly cost estimate and delta", Tag: "previews", Permission: "project:view", Status: ok, Response: cost.DeltaReport{}, Handler: getPreviewPart(st, "estimated_cost")},
		{Method: "GET", Path: "/api/v1/previews/{id}/risk", Summary: "The preview's risk level and findings", Tag: "previews", Permission: "project:view", Status: ok, Response: PreviewRisks{}, Handler: getPreviewPart(st, "risk_level", "risks", "not_assessed")},
		{Method: "GET", Path: "/api/v1/previews/{id}/explanation", Summary: "The preview's plain-English explanation", Tag: "previews", Permission: "project:view", Status: ok, Response: PreviewExplanation{}, Handler: getPreviewPart(st, "explanation", "explanation_source")},

		// Cluster agents and inventory: what a cluster's agent reports.
		{Method: "POST", Path: "/api/v1/clusters/{id}/join-tokens", Summary: "Create a one-time agent join token (shown once, valid one hour, stored hashed)", Tag: "agents", Permission: "cluster:manage", Status: created, Response: JoinToken{}, Handler: a.createJoinToken},
		{Method: "GET", Path: "/api/v1/clusters/{id}/agents", Summary: "List the cluster's agents, newest first (revoked ones included)", Tag: "agents", Permission: "cluster:view", Status: ok, Response: AgentList{}, Handler: a.listClusterAgents},
		{Method: "GET", Path: "/api/v1/clusters/{id}/agent-status", Summary: "The cluster's agent health (online, offline after 3 missed heartbeats, pending, none), versions, last heartbeat and object counts", Tag: "agents", Permission: "cluster:view", Status: ok, Response: inventory.ClusterStatus{}, Handler: a.clusterAgentStatus},
		{Method: "GET", Path: "/api/v1/agents/{id}/status", Summary: "One agent's status", Tag: "agents", Permission: "cluster:view", Status: ok, Response: inventory.Agent{}, Handler: a.agentStatus},
		{Method: "DELETE", Path: "/api/v1/agents/{id}", Summary: "Revoke an agent's credential (its requests are then refused)", Tag: "agents", Permission: "cluster:manage", Status: none, Handler: a.revokeAgent},
		{Method: "GET", Path: "/api/v1/clusters/{id}/inventory", Summary: "The cluster's objects as its agent reports them (Secrets without values), optionally of one kind and namespace, by kind, namespace and name", Tag: "agents", Permission: "cluster:view", Status: ok, Response: InventoryList{},
			Query: withPage(Param{Name: "kind", Type: "string", Description: "only objects of this kind, e.g. Deployment"}, Param{Name: "namespace", Type: "string", Description: "only objects in this namespace"}), Handler: a.clusterInventory},
		{Method: "GET", Path: "/api/v1/clusters/{id}/helm/releases", Summary: "The cluster's Helm releases (latest revision each), from Helm's release Secrets", Tag: "agents", Permission: "cluster:view", Status: ok, Response: HelmReleaseList{}, Handler: a.clusterHelmReleases},
		{Method: "GET", Path: "/api/v1/clusters/{id}/snapshots", Summary: "List the cluster's stored state snapshots, newest first", Tag: "agents", Permission: "cluster:view", Status: ok, Response: SnapshotList{}, Handler: a.listClusterSnapshots},
		{Method: "POST", Path: "/api/v1/clusters/{id}/snapshots", Summary: "Store a point-in-time copy of the cluster's state (nodes, pods, quotas, limit ranges) for previews", Tag: "agents", Permission: "promotion:preview", Status: created, Response: inventory.SnapshotRecord{}, Handler: a.createClusterSnapshot},
		{Method: "GET", Path: "/api/v1/clusters/{id}/snapshots/{snapshotId}", Summary: "A stored snapshot as a cluster state (a JSON v1 List) that previews read as --cluster-state", Tag: "agents", Permission: "cluster:view", Status: ok, Handler: a.getClusterSnapshot},

		// Cluster agents: the protocol's routes are public, authenticated by
		// the join token or the agent's credential instead of a user.
		{Method: "POST", Path: "/api/v1/agents/register", Summary: "Register a cluster agent: exchange a one-time join token for the agent's credential (shown once)", Tag: "agents", Public: true, Status: http.StatusCreated, Request: agentproto.RegisterRequest{}, Response: agentproto.RegisterResponse{}, Handler: a.registerAgent},
		{Method: "POST", Path: "/api/v1/agents/{id}/snapshot", Summary: "Agent protocol: one part of a full snapshot (gzip JSON, agent credential)", Tag: "agents", Public: true, Status: ok, Request: agentproto.SnapshotPart{}, Response: agentproto.Ack{}, Handler: agentData(a, (*inventory.Service).Snapshot)},
		{Method: "POST", Path: "/api/v1/agents/{id}/deltas", Summary: "Agent protocol: a batch of numbered changes (gzip JSON, agent credential)", Tag: "agents", Public: true, Status: ok, Request: agentproto.DeltaBatch{}, Response: agentproto.Ack{}, Handler: agentData(a, (*inventory.Service).Deltas)},
		{Method: "POST", Path: "/api/v1/agents/{id}/heartbeat", Summary: "Agent protocol: a heartbeat with the agent's position and checksums (gzip JSON, agent credential)", Tag: "agents", Public: true, Status: ok, Request: agentproto.Heartbeat{}, Response: agentproto.Ack{}, Handler: agentData(a, (*inventory.Service).Heartbeat)},

		// Promotions (promo): preview a service's move between environments, decide under the target's policy, deliver.
		{Method: "POST", Path: "/api/v1/promotions/preview", Summary: "Preview and record the promotion of a service's revision from one environment to another (IDs or names, snake_case or camelCase)", Tag: "promotions", Permission: "promotion:create", Status: created, Request: PromotionPreviewRequest{}, Response: PromotionPreviewResponse{}, Handler: a.previewPromotion},
		{Method: "GET", Path: "/api/v1/promotions", Summary: "List promotions, newest first", Tag: "promotions", Permission: "promotion:view", Status: ok, Response: capsule.List[capsule.Promotion]{},
			Query: withPage(projectParam, Param{Name: "serviceId", Type: "string", Description: "only this service's promotions"}, Param{Name: "environmentId", Type: "string", Description: "only promotions from or to this environment"}, Param{Name: "status", Type: "string", Description: "only promotions in this status", Enum: capsule.PromotionStatuses}), Handler: a.listPromotions},
		{Method: "GET", Path: "/api/v1/promotions/{id}", Summary: "Get a promotion (a delivering one follows its deployment)", Tag: "promotions", Permission: "promotion:view", Status: ok, Response: capsule.Promotion{}, Handler: a.getPromotion},
		{Method: "GET", Path: "/api/v1/promotions/{id}/preview", Summary: "The promotion with its whole stored preview", Tag: "promotions", Permission: "promotion:view", Status: ok, Response: PromotionPreviewResponse{}, Handler: a.getPromotionPreview},
		{Method: "GET", Path: "/api/v1/promotions/{id}/diff", Summary: "The promotion's semantic diff", Tag: "promotions", Permission: "promotion:view", Status: ok, Response: diff.Result{}, Handler: a.getPromotionPart("diff")},
		{Method: "GET", Path: "/api/v1/promotions/{id}/cost", Summary: "The promotion's monthly cost estimate and delta", Tag: "promotions", Permission: "promotion:view", Status: ok, Response: cost.DeltaReport{}, Handler: a.getPromotionPart("cost")},
		{Method: "GET", Path: "/api/v1/promotions/{id}/risk", Summary: "The promotion's risk level and findings", Tag: "promotions", Permission: "promotion:view", Status: ok, Response: PreviewRisks{}, Handler: a.getPromotionPart("risk")},
		{Method: "GET", Path: "/api/v1/promotions/{id}/explanation", Summary: "The promotion's plain-English explanation", Tag: "promotions", Permission: "promotion:view", Status: ok, Response: PreviewExplanation{}, Handler: a.getPromotionPart("explanation")},
		{Method: "POST", Path: "/api/v1/promotions/{id}/approve", Summary: "Approve a promotion under the target environment's policy; the last required approval delivers it", Tag: "promotions", Permission: "promotion:approve", Status: ok, Request: PromotionDecisionRequest{}, Response: capsule.Promotion{}, Handler: a.decidePromotion(false)},
		{Method: "PATCH", Path: "/api/v1/promotions/{id}/approve", Summary: "Approve a promotion (as POST)", Tag: "promotions", Permission: "promotion:approve", Status: ok, Request: PromotionDecisionRequest{}, Response: capsule.Promotion{}, Handler: a.decidePromotion(false)},
		{Method: "POST", Path: "/api/v1/promotions/{id}/reject", Summary: "Reject a promotion, which closes it", Tag: "promotions", Permission: "promotion:approve", Status: ok, Request: PromotionDecisionRequest{}, Response: capsule.Promotion{}, Handler: a.decidePromotion(true)},
		{Method: "PUT", Path: "/api/v1/environments/{id}/git-credential", Summary: "Store the credential of a gitops environment's repository (sealed; never shown again, refused by the secrets API)", Tag: "promotions", Permission: "environment:edit", Status: none, Request: GitCredentialRequest{}, Handler: a.putEnvGitCredential},
		{Method: "PATCH", Path: "/api/v1/promotions/{id}/reject", Summary: "Reject a promotion (as POST)", Tag: "promotions", Permission: "promotion:approve", Status: ok, Request: PromotionDecisionRequest{}, Response: capsule.Promotion{}, Handler: a.decidePromotion(true)},
		// Drift and environment diff: live against desired, and one environment against another.
		{Method: "GET", Path: "/api/v1/environments/{id}/drift", Summary: "Compare what runs in the environment (its cluster agent's picture) with what Capsule deployed there: objects modified, missing or extra, with the fields that differ (Secrets by key names only); 409 ENVIRONMENT_HAS_NO_CLUSTER or LIVE_STATE_UNAVAILABLE when there is nothing live to compare", Tag: "environments", Permission: "environment:view", Status: ok, Response: drift.Result{}, Handler: a.environmentDrift},
		{Method: "GET", Path: "/api/v1/projects/{id}/diff", Summary: "Compare two environments' desired states (each service's last successful deployment), ignoring what naturally differs between them (namespace, environment labels and names derived from them)", Tag: "projects", Permission: "project:view", Status: ok, Response: envdiff.Result{},
			Query: []Param{{Name: "from", Type: "string", Description: "the environment compared from (name or id), required"}, {Name: "to", Type: "string", Description: "the environment compared to (name or id), required"}, {Name: "service", Type: "string", Description: "only this service (name or id)"}}, Handler: a.projectDiff},
		// Outbound webhooks (Standard Webhooks): subscriptions, their delivery log, redelivery and a test send.
		{Method: "GET", Path: "/api/v1/webhooks", Summary: "List the organizations' outbound webhooks (never their signing secrets)", Tag: "webhooks", Permission: "webhook:view", Status: ok, Response: WebhookList{}, Query: []Param{orgParam}, Handler: a.listWebhooks},
		{Method: "POST", Path: "/api/v1/webhooks", Summary: "Subscribe a URL to events (patterns such as deployment.*, audit.*, agent.offline); answers the signing secret (whsec_...) once", Tag: "webhooks", Permission: "webhook:manage", Status: created, Request: WebhookRequest{}, Response: webhook.Created{}, Query: []Param{orgParam}, Handler: a.createWebhook},
		{Method: "GET", Path: "/api/v1/webhooks/{id}", Summary: "Get an outbound webhook", Tag: "webhooks", Permission: "webhook:view", Status: ok, Response: webhook.Subscription{}, Handler: a.getWebhook},
		{Method: "PATCH", Path: "/api/v1/webhooks/{id}", Summary: "Change an outbound webhook's URL, events, description or enabled (enabling clears why it was disabled)", Tag: "webhooks", Permission: "webhook:manage", Status: ok, Request: webhook.Patch{}, Response: webhook.Subscription{}, Handler: a.patchWebhook},
		{Method: "DELETE", Path: "/api/v1/webhooks/{id}", Summary: "Delete an outbound webhook with its deliveries and signing secret", Tag: "webhooks", Permission: "webhook:manage", Status: none, Handler: a.deleteWebhook},
		{Method: "GET", Path: "/api/v1/webhooks/{id}/deliveries", Summary: "The webhook's deliveries, newest first: status, attempts, last status code, duration, next attempt, error and a short sanitized excerpt of the answer", Tag: "webhooks", Permission: "webhook:view", Status: ok, Response: capsule.List[webhook.Delivery]{}, Query: pageParams, Handler: a.listWebhookDeliveries},
		{Method: "POST", Path: "/api/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver", Summary: "Send a delivery again now (same webhook-id, a fresh retry schedule)", Tag: "webhooks", Permission: "webhook:manage", Status: http.StatusAccepted, Response: webhook.Delivery{}, Handler: a.redeliverWebhook},
		{Method: "POST", Path: "/api/v1/webhooks/{id}/test", Summary: "Queue a webhook.test message to this webhook", Tag: "webhooks", Permission: "webhook:manage", Status: http.StatusAccepted, Response: webhook.Delivery{}, Handler: a.testWebhook},

		// Notifications: channels (Slack, Teams, email, PagerDuty, signed webhooks) and the rules routing events to them.
		{Method: "GET", Path: "/api/v1/notifications/channels", Summary: "List notification channels (never their secret parts)", Tag: "notifications", Permission: "notification:view", Status: ok, Response: ChannelList{}, Query: []Param{orgParam}, Handler: a.listChannels},
		{Method: "POST", Path: "/api/v1/notifications/channels", Summary: "Add a notification channel (slack_webhook, slack_bot, teams, email, pagerduty, webhook); secret parts are sealed, a webhook channel's signing secret is answered once", Tag: "notifications", Permission: "notification:manage", Status: created, Request: notify.ChannelInput{}, Response: notify.CreatedChannel{}, Query: []Param{orgParam}, Handler: a.createChannel},
		{Method: "DELETE", Path: "/api/v1/notifications/channels/{id}", Summary: "Delete a notification channel with its rules and queued messages", Tag: "notifications", Permission: "notification:manage", Status: none, Handler: a.deleteChannel},
		{Method: "POST", Path: "/api/v1/notifications/channels/{id}/test", Summary: "Send a test message through the channel now and say whether it was delivered", Tag: "notifications", Permission: "notification:manage", Status: ok, Response: notify.TestResult{}, Handler: a.testChannel},
		{Method: "GET", Path: "/api/v1/notifications/rules", Summary: "List notification rules", Tag: "notifications", Permission: "notification:view", Status: ok, Response: RuleList{}, Query: []Param{orgParam}, Handler: a.listRules},
		{Method: "POST", Path: "/api/v1/notifications/rules", Summary: "Route events (by kind, project, environment and minimum severity) to a channel", Tag: "notifications", Permission: "notification:manage", Status: created, Request: notify.RuleInput{}, Response: notify.Rule{}, Query: []Param{orgParam}, Handler: a.createRule},
		{Method: "DELETE", Path: "/api/v1/notifications/rules/{id}", Summary: "Delete a notification rule", Tag: "notifications", Permission: "notification:manage", Status: none, Handler: a.deleteRule},
		// Git events: inbound webhooks (the delivery route is public, authenticated by the provider's signature with the project's webhook secret).
		{Method: "POST", Path: "/api/v1/projects/{id}/webhook-secret", Summary: "Make the project's Git webhook secret, shown once with the URL and events to configure on its provider; calling again rotates it (409 PROJECT_HAS_NO_REPOSITORY without a repository URL)", Tag: "git-events", Permission: "project:webhook", Status: created, Response: WebhookSecret{}, Handler: a.createWebhookSecret},
		{Method: "GET", Path: "/api/v1/projects/{id}/hook-deliveries", Summary: "The project's inbound Git webhook deliveries, newest first: received, ignored, acted or rejected, with the reason", Tag: "git-events", Permission: "project:view", Status: ok, Response: capsule.List[capsule.HookDelivery]{}, Query: pageParams, Handler: a.listHookDeliveries},
		{Method: "POST", Path: "/api/v1/hooks/git/{provider}", Summary: "A Git provider's webhook delivery (github, gitlab, bitbucket, gitea): a push to a tracked branch deploys, a pull request opens, updates or removes its pr-N environment; 401 WEBHOOK_SIGNATURE_INVALID, 404 WEBHOOK_REPOSITORY_UNKNOWN, a replayed delivery 200 {\"status\":\"duplicate\"}", Tag: "git-events", Public: true, Status: ok, Response: gitevents.Result{}, Handler: a.receiveHook},
		// Billing: cloud billing files imported per account and month, attributed to clusters, reconciled.
		{Method: "POST", Path: "/api/v1/billing/accounts", Summary: "Create a billing account (a cloud billing source of the organization: provider aws|gcp|azure|other, optional file format)", Tag: "billing", Permission: "billing:manage", Status: created, Request: BillingAccountRequest{}, Response: billingstore.Account{}, Handler: a.createBillingAccount},
		{Method: "GET", Path: "/api/v1/billing/accounts", Summary: "List the organization's billing accounts", Tag: "billing", Permission: "billing:view", Status: ok, Response: BillingAccountList{}, Query: []Param{orgParam}, Handler: a.listBillingAccounts},
		{Method: "POST", Path: "/api/v1/billing/imports", Summary: "Import a billing file (raw body or multipart part \"file\"; FOCUS, AWS CUR, GCP or Azure, gzip allowed) as an account's billing month; importing the month again replaces it in one transaction", Tag: "billing", Permission: "billing:manage", Status: created, Response: billingstore.Import{}, Query: billingImportParams, Upload: true, Handler: a.importBilling},
		{Method: "GET", Path: "/api/v1/billing/records", Summary: "Imported billing rows as FOCUS columns, filtered and paged", Tag: "billing", Permission: "billing:view", Status: ok, Response: BillingRecordList{}, Query: billingRecordParams, Handler: a.listBillingRecords},
		{Method: "GET", Path: "/api/v1/billing/attributions", Summary: "Effective and billed cost per cluster per day (usage attributed by the providers' cluster tags)", Tag: "billing", Permission: "billing:view", Status: ok, Response: BillingAttributionList{}, Query: billingFilterParams, Handler: a.billingAttributions},
		{Method: "POST", Path: "/api/v1/billing/reconcile", Summary: "Per cluster: list vs effective vs billed cost, the difference explained by savings plans, reservations, discounts, credits, taxes, purchases and amortization", Tag: "billing", Permission: "billing:view", Status: ok, Request: BillingReconcileRequest{}, Response: BillingReconciliation{}, Handler: a.reconcileBilling},
		// Cost allocation: what each team, project, service, namespace, cluster and environment costs over time, and its anomalies.
		{Method: "GET", Path: "/api/v1/costs/summary", Summary: "Allocated cost per group over a window from the agents' pictures (max(request, usage) × node prices; idle apart, shared namespaces spread over the groups), money as decimal USD strings", Tag: "costs", Permission: "billing:view", Status: ok, Response: allocation.Summary{}, Query: costSummaryParams, Handler: a.costSummary},
		{Method: "GET", Path: "/api/v1/costs/anomalies", Summary: "Anomalies of the daily allocated cost per cluster, namespace and service, each with the promotion (or deployment) delivered into its scope before it and whether the bill confirms the day", Tag: "costs", Permission: "billing:view", Status: ok, Response: []allocation.Anomaly{}, Query: costAnomalyParams, Handler: a.costAnomalies},
		{Method: "POST", Path: "/api/v1/budgets", Summary: "Create a monthly budget for a team, project or environment's allocated cost (scope, name, monthly_amount in USD, thresholds in percent, default [50, 80, 100])", Tag: "costs", Permission: "billing:manage", Status: created, Request: BudgetRequest{}, Response: allocation.Budget{}, Handler: a.createBudget},
		{Method: "GET", Path: "/api/v1/budgets", Summary: "The organization's budgets with this month's cost to date, the forecast (month to date + expected days, by weekday when history allows) and the thresholds reached or forecast", Tag: "costs", Permission: "billing:view", Status: ok, Response: BudgetList{}, Query: []Param{orgParam}, Handler: a.listBudgets},
	}
}
