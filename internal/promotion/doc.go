// Package promotion is the promotion workflow: preview the move of a
// service's revision from one environment to another, record it, decide on
// it under the target environment's approval policy, and deliver it.
//
// Design decisions:
//   - The proposed target state is the source environment's revision (the
//     configuration revision and image its newest release ran, else the
//     service's current revision and source image) rendered for the target
//     by deployer.Render, the deployer's own render path, with the target's
//     replica count when it has a release (scale is the environment's, not
//     the revision's). Services hold no per-environment overrides yet, so
//     the target's name and namespace are what differ. Promoting what the
//     target already runs therefore shows no change at all.
//   - The current target state comes from a CurrentState: EnvState reads
//     envstate's desired state (what Capsule last applied, not the live
//     picture, whose status and scrubbed values change without any
//     promotion) and decorates the proposal as the engine applies it;
//     DeployRuns reads the deployer's kept objects when there is no
//     envstate reader. The target's current replica count is kept.
//   - Diff, cost, risk and explanation are internal/preview's Build and
//     Explain, exactly as POST /api/v1/previews uses them.
//   - The preview keeps two fingerprints: a SHA-256 of the target's current
//     objects and one of the source's revision, image and release. An
//     approval recomputes both and is refused (PROMOTION_STALE) when either
//     differs: what was reviewed is no longer what would happen.
//   - A preview never delivers by itself. requiredApprovals 0 means one
//     approval by anyone the policy accepts; N means N distinct approvers.
//   - Gates (maxRiskLevel, maxMonthlyCostDelta) make the promotion blocked;
//     an approval with an override reason lifts the gate and counts as an
//     approval. A rejection closes the promotion.
//   - Direct delivery starts a deployment through the deployer (as
//     POST /services/{id}/deploy does) with the source's image and the
//     proposal's replica count; the promotion follows the deployment when
//     read (delivering → delivered on running, failed on failed, cancelled
//     or rolled back). GitOps delivery goes through a GitDeliverer; without
//     one the promotion stays approved with a note saying so.
package promotion
