package capsule

import (
	"slices"
	"strings"
)

// Error codes. Every code a Capsule error can carry is declared here once and
// registered in the table below with its Kind (hence its HTTP status) and
// meaning; entity codes such as SERVICE_NOT_FOUND are registered from the
// entity list. A test walks the table and scans the source so that no code
// is written inline anywhere else.
const (
	CodeInternal           = "INTERNAL"
	CodeValidation         = "VALIDATION_FAILED"
	CodeConflict           = "CONFLICT"
	CodeAlreadyExists      = "ALREADY_EXISTS"
	CodeVersionConflict    = "VERSION_CONFLICT"
	CodePreconditionFailed = "PRECONDITION_FAILED"
	CodeUnauthenticated    = "UNAUTHENTICATED"
	CodeForbidden          = "FORBIDDEN"
	CodeNotImplemented     = "NOT_IMPLEMENTED"
	CodeTooLarge           = "PAYLOAD_TOO_LARGE"
	CodeRateLimited        = "RATE_LIMITED"
	CodeUnavailable        = "UNAVAILABLE"
	CodeNotFound           = "NOT_FOUND"

	// Request decoding and routing.
	CodeInvalidJSON      = "INVALID_JSON"
	CodeUnknownField     = "UNKNOWN_FIELD"
	CodeInvalidParameter = "INVALID_PARAMETER"
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	CodeHeadersTooLarge  = "HEADERS_TOO_LARGE"
	CodeScopeMismatch    = "SCOPE_MISMATCH"

	// Identity and access.
	CodeInvalidCredentials    = "INVALID_CREDENTIALS"
	CodeInvalidAPIKey         = "INVALID_API_KEY"
	CodeLoginThrottled        = "LOGIN_THROTTLED"
	CodeSessionRevoked        = "SESSION_REVOKED"
	CodeUserDisabled          = "USER_DISABLED"
	CodeSelfAdministration    = "SELF_ADMINISTRATION"
	CodeConfirmationRequired  = "CONFIRMATION_REQUIRED"
	CodeConfirmationMismatch  = "CONFIRMATION_MISMATCH"
	CodeCrossSiteRequest      = "CROSS_SITE_REQUEST"
	CodeMFARequired           = "MFA_REQUIRED"
	CodeInvalidMFACode        = "INVALID_MFA_CODE"
	CodeMFAEnrolmentRequired  = "MFA_ENROLMENT_REQUIRED"
	CodeMFAAlreadyEnabled     = "MFA_ALREADY_ENABLED"
	CodeMFANotEnrolled        = "MFA_NOT_ENROLLED"
	CodeMFANotPending         = "MFA_NOT_PENDING"
	CodeLastOwner             = "LAST_OWNER"
	CodeInvitationInvalid     = "INVITATION_INVALID"
	CodeScopeNotFound         = "SCOPE_NOT_FOUND"
	CodeSecretVersionNotFound = "SECRET_VERSION_NOT_FOUND"
	CodeSSONotConfigured      = "SSO_NOT_CONFIGURED"
	CodeSSOProviderDown       = "SSO_PROVIDER_UNAVAILABLE"
	CodeSSOEmailUnverified    = "SSO_EMAIL_UNVERIFIED"

	// Deployments.
	CodeDeploymentNotCancellable = "DEPLOYMENT_NOT_CANCELLABLE"
	CodeEnvironmentNoCluster     = "ENVIRONMENT_HAS_NO_CLUSTER"
	CodeClusterNoCredential      = "CLUSTER_HAS_NO_CREDENTIAL"
	CodeGitOpsDelivery           = "GITOPS_DELIVERY"
	CodeNothingDeployed          = "NOTHING_DEPLOYED"
	CodePodLogsUnavailable       = "POD_LOGS_UNAVAILABLE"

	// Clusters.
	CodeClusterUnreachable        = "CLUSTER_UNREACHABLE"
	CodeClusterCredentialRejected = "CLUSTER_CREDENTIAL_REJECTED"
	CodeClusterPermissionsMissing = "CLUSTER_PERMISSIONS_MISSING"
	CodeClusterInUse              = "CLUSTER_IN_USE"
	CodeClusterCredentialSealed   = "CLUSTER_CREDENTIAL_SEALED"

	// Cluster agents.
	CodeJoinTokenInvalid       = "JOIN_TOKEN_INVALID"
	CodeAgentCredentialInvalid = "AGENT_CREDENTIAL_INVALID"
	CodeAgentProtocol          = "AGENT_PROTOCOL_UNSUPPORTED"

	// Promotions.
	CodePromotionStale      = "PROMOTION_STALE"
	CodePromotionClosed     = "PROMOTION_CLOSED"
	CodeSelfApproval        = "PROMOTION_SELF_APPROVAL"
	CodeApproverRole        = "PROMOTION_APPROVER_ROLE"
	CodeAlreadyDecided      = "PROMOTION_ALREADY_DECIDED"
	CodeOverrideRequired    = "PROMOTION_OVERRIDE_REQUIRED"
	CodeNothingToPromote    = "NOTHING_TO_PROMOTE"
	CodeGitCredentialSealed = "GIT_CREDENTIAL_SEALED"
	// Drift and environment state.
	CodeLiveStateUnavailable = "LIVE_STATE_UNAVAILABLE"
	CodeDriftNotChecked      = "DRIFT_NOT_CHECKED"
	// Outbound webhooks and notifications.
	CodeWebhookSecretSealed = "WEBHOOK_SECRET_SEALED"
	// Inbound Git webhooks.
	CodeWebhookProviderUnknown   = "WEBHOOK_PROVIDER_UNKNOWN"
	CodeWebhookRepositoryUnknown = "WEBHOOK_REPOSITORY_UNKNOWN"
	CodeWebhookSignatureInvalid  = "WEBHOOK_SIGNATURE_INVALID"
	CodeWebhookPayloadInvalid    = "WEBHOOK_PAYLOAD_INVALID"
	CodeProjectNoRepository      = "PROJECT_HAS_NO_REPOSITORY"
	// Web UI.
	CodeCSRFTokenInvalid = "CSRF_TOKEN_INVALID"
	// Billing uploads and S3 sources.
	CodeBillingSourceSecretSealed = "BILLING_SOURCE_SECRET_SEALED"
)

// CodeInfo is one row of the error code table.
type CodeInfo struct {
	Code    string
	Kind    Kind
	Meaning string
}

// Entities are the names NotFound and AlreadyExists accept; each has an
// <ENTITY>_NOT_FOUND and an <ENTITY>_ALREADY_EXISTS code in the table.
var Entities = []string{
	"API key", "agent", "cluster", "cluster credential", "cluster snapshot", "deployment", "environment", "identity", "member", "organization", "preview", "promotion",
	"project", "revision", "role", "role binding", "secret", "service", "session", "user",
	"webhook", "webhook delivery", "notification channel", "notification rule", // outbound
	// billing
	"billing account",
	"budget", // cost allocation
}

var codeTable = []CodeInfo{
	{CodeInternal, KindInternal, "a bug or an unavailable dependency; the request ID is in details"},
	{CodeValidation, KindInvalid, "invalid fields, listed in details.fields"},
	{CodeConflict, KindConflict, "the change conflicts with the current state"},
	{CodeAlreadyExists, KindConflict, "a unique key is taken"},
	{CodeVersionConflict, KindConflict, "the body's version is not the stored one"},
	{CodePreconditionFailed, KindPrecondition, "If-Match does not name the stored version"},
	{CodeUnauthenticated, KindUnauthenticated, "no or bad credentials"},
	{CodeForbidden, KindForbidden, "authenticated but missing the permission"},
	{CodeNotImplemented, KindNotImplemented, "the capability does not exist yet"},
	{CodeTooLarge, KindTooLarge, "the request body or a value is over its limit"},
	{CodeRateLimited, KindRateLimited, "too many requests; retry after Retry-After"},
	{CodeUnavailable, KindUnavailable, "temporarily unable to serve"},
	{CodeNotFound, KindNotFound, "no route for the method and path"},
	{CodeInvalidJSON, KindInvalid, "the body is not one well-formed JSON value within the limits"},
	{CodeUnknownField, KindInvalid, "the body has a field the route does not accept"},
	{CodeInvalidParameter, KindInvalid, "a query parameter or header value is malformed or unknown"},
	{CodeMethodNotAllowed, KindInvalid, "the path exists but not with this method (HTTP 405)"},
	{CodeHeadersTooLarge, KindTooLarge, "the request headers are over the limit (HTTP 431)"},
	{CodeScopeMismatch, KindInvalid, "the path, query and body name different organizations, projects or environments"},
	{CodeInvalidCredentials, KindUnauthenticated, "email or password is wrong"},
	{CodeInvalidAPIKey, KindUnauthenticated, "the API key is invalid, expired or revoked"},
	{CodeLoginThrottled, KindRateLimited, "too many failed sign-ins for the account from this address, or from this address; retry after Retry-After"},
	{CodeSessionRevoked, KindUnauthenticated, "the access token's session ended (logout, revocation, refresh-token reuse, user disabled or removed)"},
	{CodeUserDisabled, KindForbidden, "the user is disabled"},
	{CodeSelfAdministration, KindConflict, "a user cannot disable, delete or reset their own account through user administration"},
	{CodeConfirmationRequired, KindInvalid, "deleting an organization needs confirm=<slug or name>"},
	{CodeConfirmationMismatch, KindInvalid, "confirm= does not name the organization being deleted"},
	{CodeCrossSiteRequest, KindForbidden, "a cookie-less cross-site write was refused"},
	{CodeMFARequired, KindUnauthenticated, "the account needs a one-time code to sign in"},
	{CodeInvalidMFACode, KindUnauthenticated, "the one-time or recovery code is wrong or used"},
	{CodeMFAEnrolmentRequired, KindForbidden, "the organization requires two-factor authentication"},
	{CodeMFAAlreadyEnabled, KindConflict, "two-factor authentication is already enabled"},
	{CodeMFANotEnrolled, KindNotFound, "two-factor authentication is not set up"},
	{CodeMFANotPending, KindConflict, "no enrolment waits for confirmation"},
	{CodeLastOwner, KindConflict, "the organization's last owner cannot be demoted, removed or deleted while others remain"},
	{CodeInvitationInvalid, KindNotFound, "the invitation is unknown, expired, used or for another email"},
	{CodeScopeNotFound, KindNotFound, "the user, project or environment of a role binding does not exist"},
	{CodeSecretVersionNotFound, KindNotFound, "the secret has no such version"},
	{CodeSSONotConfigured, KindNotFound, "the organization has no single sign-on provider"},
	{CodeSSOProviderDown, KindUnavailable, "the identity provider does not answer"},
	{CodeSSOEmailUnverified, KindConflict, "the identity provider did not verify the email"},
	{CodeDeploymentNotCancellable, KindConflict, "the deployment already finished"},
	{CodeEnvironmentNoCluster, KindConflict, "the environment names no cluster to deploy to; set its clusterId"},
	{CodeClusterNoCredential, KindConflict, "the environment's cluster holds no write credential; add one with PUT /api/v1/clusters/{id}/credential"},
	{CodeGitOpsDelivery, KindConflict, "the environment is delivered by GitOps: a direct deploy, rollback or scale is not possible; change its repository instead"},
	{CodeNothingDeployed, KindConflict, "the service has no (or no earlier) successful deployment in the environment to roll back to or scale"},
	{CodePodLogsUnavailable, KindUnavailable, "the cluster could not serve the pods' logs (no pods, or their node serves no logs); the cause is named"},
	{CodeClusterUnreachable, KindInvalid, "the cluster's server could not be reached (the URL and the reason are named; never what the server sent)"},
	{CodeClusterCredentialRejected, KindInvalid, "the cluster's server refused the credential (HTTP 401)"},
	{CodeClusterPermissionsMissing, KindInvalid, "the credential lacks permissions Capsule's deploy needs; details.missing lists each as \"verb resource\""},
	{CodeClusterInUse, KindConflict, "environments deploy to the cluster; details.environments names them"},
	{CodeClusterCredentialSealed, KindForbidden, "a cluster's write credential is never read, rotated or removed through the secrets API"},
	{CodeJoinTokenInvalid, KindUnauthenticated, "the agent join token is unknown, expired or already used"},
	{CodeAgentCredentialInvalid, KindUnauthenticated, "the agent credential is unknown, revoked, or not this agent's"},
	{CodeAgentProtocol, KindInvalid, "the agent's body has another protocol version or is malformed"},
	{CodePromotionStale, KindConflict, "the target's state or the source revision changed since the promotion was previewed; preview again"},
	{CodePromotionClosed, KindConflict, "the promotion is no longer waiting for a decision (approved, rejected, delivered or superseded)"},
	{CodeSelfApproval, KindForbidden, "the target environment's policy does not let the requester approve their own promotion"},
	{CodeApproverRole, KindForbidden, "the target environment's policy names approver roles the caller does not hold there"},
	{CodeAlreadyDecided, KindConflict, "the caller already approved this promotion"},
	{CodeOverrideRequired, KindConflict, "the promotion is blocked by a policy gate; approving it needs override_reason"},
	{CodeGitCredentialSealed, KindForbidden, "an environment's Git credential is never read, rotated or removed through the secrets API"},
	{CodeNothingToPromote, KindConflict, "the source environment runs nothing and the service has no image to promote"},
	// Drift and environment state.
	{CodeLiveStateUnavailable, KindConflict, "no agent has reported the environment's cluster yet, so what runs there (and its drift) is unknown"},
	{CodeDriftNotChecked, KindConflict, "the environment's drift could not be compared; the message says why"},
	// Outbound webhooks and notifications.
	{CodeWebhookSecretSealed, KindForbidden, "a webhook's signing secret, a notification channel's credential or a project's Git webhook secret is never read, rotated, created or removed through the secrets API"},
	// Inbound Git webhooks.
	{CodeWebhookProviderUnknown, KindNotFound, "the webhook path names no provider Capsule accepts (github, gitlab, bitbucket, gitea)"},
	{CodeWebhookRepositoryUnknown, KindNotFound, "no project has the delivery's repository"},
	{CodeWebhookSignatureInvalid, KindUnauthenticated, "the delivery's signature or token is missing or does not match the project's webhook secret"},
	{CodeWebhookPayloadInvalid, KindInvalid, "the delivery's body is not the provider's JSON payload or misses its repository"},
	{CodeProjectNoRepository, KindConflict, "the project has no repository URL; set repository.url first"},
	// Web UI.
	{CodeCSRFTokenInvalid, KindForbidden, "a web form's CSRF token is missing or not this session's"},
	// Billing uploads and S3 sources.
	{CodeBillingSourceSecretSealed, KindForbidden, "a billing account's S3 secret access key is never read, rotated, created or removed through the secrets API"},
}

var codeIndex = func() map[string]CodeInfo {
	m := make(map[string]CodeInfo, len(codeTable)+2*len(Entities))
	for _, c := range codeTable {
		m[c.Code] = c
	}
	for _, e := range Entities {
		nf, ae := entityCode(e)+"_NOT_FOUND", entityCode(e)+"_ALREADY_EXISTS"
		m[nf] = CodeInfo{nf, KindNotFound, "the " + e + " does not exist or is not visible to the caller"}
		m[ae] = CodeInfo{ae, KindConflict, "a " + e + " with that unique key exists"}
	}
	return m
}()

// Codes returns every error code with its Kind and meaning, sorted by code.
// The fixed rows and the entity rows together; duplicates are a bug the
// table test reports.
func Codes() []CodeInfo {
	out := slices.Clone(codeTable)
	for _, e := range Entities {
		out = append(out, codeIndex[entityCode(e)+"_NOT_FOUND"], codeIndex[entityCode(e)+"_ALREADY_EXISTS"])
	}
	slices.SortStableFunc(out, func(a, b CodeInfo) int { return strings.Compare(a.Code, b.Code) })
	return out
}

// LookupCode returns the table row of code.
func LookupCode(code string) (CodeInfo, bool) {
	c, ok := codeIndex[code]
	return c, ok
}
