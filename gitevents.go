package capsule

import (
	"context"
	"strings"
	"time"
)

// PullRequestPreview is what a pull-request environment (kind preview,
// named pr-N) was made from. Inbound Git webhooks create, redeploy and
// remove these environments; ExpiresAt is when the sweep removes it
// whatever the pull request's state.
type PullRequestPreview struct {
	PullRequest int    `json:"pullRequest"`
	HeadBranch  string `json:"headBranch,omitempty"`
	BaseBranch  string `json:"baseBranch,omitempty"`
	HeadSHA     string `json:"headSha,omitempty"`
	// URL is the address its public services answer on (from the project's
	// previewEnvironments.hostPattern); empty without a base domain.
	URL string `json:"url,omitempty"`
	// Host is the Ingress host of its public services; a "{service}" in it
	// stands for each service's name.
	Host           string     `json:"host,omitempty"`
	ExpiresAt      *time.Time `json:"expiresAt,omitempty"`
	LastDeployedAt *time.Time `json:"lastDeployedAt,omitempty"`
	// SleepingSince is when the sweep scaled its services to zero after
	// sleepAfter without a deploy; the next deploy wakes it.
	SleepingSince *time.Time `json:"sleepingSince,omitempty"`
}

// MaxBranchLength bounds a tracked branch name (Git allows longer ones;
// no real branch comes close).
const MaxBranchLength = 255

// validateGit checks the branch an environment tracks (a Git branch name:
// no spaces, control characters, "..", or the characters Git refuses) and
// that only preview environments carry a pull request.
func (e *Environment) validateGit(v *Validation) {
	e.Branch = strings.TrimPrefix(e.Branch, "refs/heads/")
	if e.Branch != "" && !IsBranchName(e.Branch) {
		v.Add("branch", "%q is not a Git branch name", clipText(e.Branch, 80))
	}
	if e.Preview != nil {
		if e.Kind != EnvPreview {
			v.Add("preview", "only environments of kind preview are made for a pull request")
		}
		if e.Preview.PullRequest <= 0 {
			v.Add("preview.pullRequest", "must be a pull request number (1 or more)")
		}
	}
}

// IsBranchName reports whether s is a branch name Git accepts
// (git check-ref-format --branch, without the @{-N} shorthand).
func IsBranchName(s string) bool {
	if s == "" || len(s) > MaxBranchLength || s == "@" || strings.HasPrefix(s, "-") ||
		strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.HasSuffix(s, ".") ||
		strings.Contains(s, "..") || strings.Contains(s, "//") || strings.Contains(s, "@{") {
		return false
	}
	for _, part := range strings.Split(s, "/") {
		if strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return false
		}
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f || strings.ContainsRune(" ~^:?*[\\", c) {
			return false
		}
	}
	return true
}

// Outcomes of an inbound Git webhook delivery.
const (
	HookReceived = "received" // verified, being acted on
	HookIgnored  = "ignored"  // verified, nothing to do (reason says why)
	HookActed    = "acted"    // verified, deploys or environments changed
	HookRejected = "rejected" // not verified or not understood: nothing changed
)

// HookDelivery is one inbound Git webhook delivery as the log keeps it.
type HookDelivery struct {
	ID         string    `json:"id"`
	Provider   string    `json:"provider"`
	DeliveryID string    `json:"deliveryId"`
	Event      string    `json:"event"`
	Repository string    `json:"repository"`
	ProjectID  string    `json:"projectId,omitempty"`
	ReceivedAt time.Time `json:"receivedAt"`
	Outcome    string    `json:"outcome"`
	Reason     string    `json:"reason,omitempty"`
}

// HookDeliveryFilter selects a project's deliveries, newest first.
type HookDeliveryFilter struct {
	ProjectID string
	Page
}

// HookDeliveryStore keeps the delivery log.
type HookDeliveryStore interface {
	// RecordHookDelivery stores d. When dedupKey is not empty and a
	// delivery with that key exists, it stores nothing and reports
	// duplicate.
	RecordHookDelivery(ctx context.Context, d *HookDelivery, dedupKey string) (duplicate bool, err error)
	// FinishHookDelivery sets the outcome and reason of d; release drops
	// its dedup key, so a redelivery of it is acted on again.
	FinishHookDelivery(ctx context.Context, id, outcome, reason string, release bool) error
	ListHookDeliveries(ctx context.Context, f HookDeliveryFilter) (List[HookDelivery], error)
}
