package capsule

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Environment kinds.
const (
	EnvDevelopment = "development"
	EnvStaging     = "staging"
	EnvProduction  = "production"
	EnvPreview     = "preview"
)

// Delivery modes: how approved changes reach the cluster.
const (
	DeliveryDirect = "direct" // Capsule applies with a configured write credential
	DeliveryGitOps = "gitops" // Capsule commits to Git; Argo CD or Flux applies
)

// Environment is a deployment target of a project: a namespace on a cluster.
type Environment struct {
	ID             string         `json:"id"`
	ProjectID      string         `json:"projectId"`
	Name           string         `json:"name"`
	Kind           string         `json:"kind"`
	ClusterID      string         `json:"clusterId,omitempty"`
	Namespace      string         `json:"namespace"`
	DeliveryMode   string         `json:"deliveryMode"`
	ApprovalPolicy ApprovalPolicy `json:"approvalPolicy"`
	// Git is where a gitops environment's manifests live.
	Git *EnvironmentGit `json:"git,omitempty"`
	// Git events: the branch a push to which deploys the project here, and
	// what a pull-request environment was made from.
	Branch    string              `json:"branch,omitempty"`
	Preview   *PullRequestPreview `json:"preview,omitempty"`
	Version   int64               `json:"version"`
	CreatedAt time.Time           `json:"createdAt"`
	UpdatedAt time.Time           `json:"updatedAt"`
}

// ApprovalPolicy says who must approve a promotion into the environment.
//
// RequiredApprovals approvals by distinct users, each holding
// promotion:approve on the environment (and, when ApproverRoles is set, one
// of those roles there), deliver the promotion; zero delivers it at once.
// The requester cannot approve unless AllowSelfApproval. An approval is
// refused when the target's state or the source revision changed since the
// preview. MaxRiskLevel and MaxMonthlyCostDelta are gates: a preview that
// reaches the risk level, or whose monthly cost rises by more than the
// amount (decimal dollars, e.g. "250.00"), is blocked until an approver
// approves with an override reason.
type ApprovalPolicy struct {
	RequiredApprovals   int      `json:"requiredApprovals"`
	ApproverRoles       []string `json:"approverRoles,omitempty"`
	AllowSelfApproval   bool     `json:"allowSelfApproval,omitempty"`
	MaxRiskLevel        string   `json:"maxRiskLevel,omitempty"`
	MaxMonthlyCostDelta string   `json:"maxMonthlyCostDelta,omitempty"`
}

// RiskLevels are the preview's risk levels, lowest first.
var RiskLevels = []string{"low", "medium", "high", "critical"}

// EnvironmentGit is the repository a gitops environment is delivered
// through: manifests are written under Path on Branch. Its credential is
// kept in the secret store, never here.
type EnvironmentGit struct {
	URL      string `json:"url"`
	Branch   string `json:"branch"`
	Path     string `json:"path,omitempty"`
	Provider string `json:"provider,omitempty"`
}

// GitProviders are the providers an environment's repository may name.
// "git" and "plain" both mean a Git server without a pull-request API
// (the branch is pushed, nothing more); "git" is gitdelivery's name for it,
// "plain" the name environments were stored with first, so both are kept.
var GitProviders = []string{"github", "gitlab", "bitbucket", "gitea", "plain", "git"}

// CostDeltaMicros parses MaxMonthlyCostDelta ("250", "250.5", "250.00")
// into micro-dollars; ok is false when it is empty.
func (a ApprovalPolicy) CostDeltaMicros() (micros int64, ok bool, err error) {
	s := a.MaxMonthlyCostDelta
	if s == "" {
		return 0, false, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || len(frac) > 6 || !digits(whole) || !digits(frac) {
		return 0, false, fmt.Errorf("%q is not an amount of dollars such as 250.00", clipText(s, 40))
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return w*1_000_000 + f, true, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func (a ApprovalPolicy) validate(v *Validation) {
	if a.RequiredApprovals < 0 {
		v.Add("approvalPolicy.requiredApprovals", "must not be negative")
	}
	if a.RequiredApprovals > 20 {
		v.Add("approvalPolicy.requiredApprovals", "%d is more than 20", a.RequiredApprovals)
	}
	for i, r := range a.ApproverRoles {
		if r == "" || len(r) > 63 {
			v.Add(fmt.Sprintf("approvalPolicy.approverRoles[%d]", i), "%q is not a role name", clipText(r, 80))
		}
	}
	if a.MaxRiskLevel != "" {
		v.checkOneOf("approvalPolicy.maxRiskLevel", a.MaxRiskLevel, RiskLevels...)
	}
	if _, _, err := a.CostDeltaMicros(); err != nil {
		v.Add("approvalPolicy.maxMonthlyCostDelta", "%v", err)
	}
}

func (g *EnvironmentGit) validate(v *Validation) {
	if g == nil {
		return
	}
	u, err := url.Parse(g.URL)
	switch {
	case g.URL == "":
		v.Add("git.url", "is required")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil:
		v.Add("git.url", "%q is not an http(s) repository URL without credentials", clipText(g.URL, 120))
	}
	if g.Branch == "" {
		g.Branch = "main"
	}
	if strings.ContainsAny(g.Branch, " ~^:?*[\\") || strings.Contains(g.Branch, "..") || len(g.Branch) > 200 {
		v.Add("git.branch", "%q is not a branch name", clipText(g.Branch, 80))
	}
	if strings.HasPrefix(g.Path, "/") || strings.Contains("/"+g.Path+"/", "/../") || len(g.Path) > 400 {
		v.Add("git.path", "%q is not a relative path inside the repository", clipText(g.Path, 80))
	}
	if g.Provider == "" {
		g.Provider = "plain"
	}
	v.checkOneOf("git.provider", g.Provider, GitProviders...)
}

// Validate checks the environment's fields and fills defaults: the namespace
// defaults to the environment name, the delivery mode to direct.
func (e *Environment) Validate() error {
	var v Validation
	if e.ProjectID == "" {
		v.Add("projectId", "is required")
	}
	v.checkDNSLabel("name", e.Name)
	v.checkOneOf("kind", e.Kind, EnvDevelopment, EnvStaging, EnvProduction, EnvPreview)
	if e.Namespace == "" {
		e.Namespace = e.Name
	}
	v.checkDNSLabel("namespace", e.Namespace)
	if len(e.ClusterID) > 64 {
		// The store checks that the cluster exists in the project's
		// organization; this only keeps a junk reference out of messages.
		v.Add("clusterId", "%q is not a cluster ID", clipText(e.ClusterID, 80))
	}
	if e.DeliveryMode == "" {
		e.DeliveryMode = DeliveryDirect
	}
	v.checkOneOf("deliveryMode", e.DeliveryMode, DeliveryDirect, DeliveryGitOps)
	e.ApprovalPolicy.validate(&v)
	e.Git.validate(&v)
	e.validateGit(&v)
	return v.Err()
}

// EnvironmentFilter selects environments.
type EnvironmentFilter struct {
	ProjectID       string
	OrganizationIDs []string // when not nil, only environments of these organizations
	Kind            string
	Page
}

// EnvironmentStore persists environments.
type EnvironmentStore interface {
	FindEnvironment(ctx context.Context, id string) (*Environment, error)
	ListEnvironments(ctx context.Context, f EnvironmentFilter) (List[Environment], error)
	CreateEnvironment(ctx context.Context, e *Environment) error
	UpdateEnvironment(ctx context.Context, e *Environment) error
	DeleteEnvironment(ctx context.Context, id string) error
}
