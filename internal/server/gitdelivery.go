package server

import (
	"context"

	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/gitdelivery"
	"github.com/usecapsule/capsule/internal/promotion"
)

// gitPackBytes bounds one Git response: a shallow clone of an environment
// repository's branch, far above the 10 MiB default of other requests.
const gitPackBytes = 1 << 30

// promotionGit delivers approved promotions to Git through gitdelivery,
// whose requests (Git's smart HTTP and the providers' APIs) go through the
// guarded egress client like every other outbound request.
type promotionGit struct{ d *gitdelivery.Deliverer }

func (o *Options) promotionGit() promotionGit {
	client := egress.New(egress.Options{Allow: o.egressAllow(), MaxBodyBytes: gitPackBytes})
	return promotionGit{d: gitdelivery.New(gitdelivery.Config{Client: client})}
}

// Deliver converts between the workflow's boundary types and gitdelivery's.
func (g promotionGit) Deliver(ctx context.Context, r promotion.GitDelivery) (promotion.GitResult, error) {
	res, err := g.d.Deliver(ctx, gitdelivery.GitDelivery{PromotionID: r.PromotionID,
		Target: gitTarget(r.Target), Files: r.Files, Title: r.Title, Body: r.Body, Approvers: r.Approvers})
	return promotion.GitResult{Branch: res.Branch, Commit: res.Commit, PRURL: res.PRURL, PRState: res.PRState,
		Conflicts: res.Conflicts}, err
}

// gitTarget is the environment's repository as gitdelivery names it: an
// environment's "plain" provider (a Git server without a pull-request API)
// is gitdelivery's "git".
func gitTarget(t promotion.GitTarget) gitdelivery.GitTarget {
	if t.Provider == "plain" {
		t.Provider = "git"
	}
	return gitdelivery.GitTarget(t)
}
