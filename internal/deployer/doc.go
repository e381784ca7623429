// Package deployer carries a deploy, rollback or scale from the API to the
// cluster: the API route validates the request and calls Deploy, Rollback
// or Scale here, which record the deployment (pending), its run and a
// durable "deploy" job in one transaction; the job's handler (Handle,
// registered on the server's jobs.Runner) loads the environment, its
// cluster and the sealed write credential, renders the service with the
// same code as `capsule render`, runs internal/deploy's Engine and writes
// each progress report to the deployment record and the events hub.
//
// Design decisions:
//   - One job key per service and environment ("service:<id>/env:<id>"):
//     a second deploy while one runs is queued behind it, and the answer
//     says so (Accepted.Queued, QueuedBehind).
//   - Revision is the release number of the service in the environment
//     (1, 2, 3, ...): what the engine writes on every object, what
//     `capsule rollback --revision` names. The service's configuration
//     revision that was rendered is kept on the run.
//   - The rendered objects of every deploy are kept on its run
//     (deployment_runs.objects), so a rollback re-applies exactly what ran,
//     whatever the service's configuration is now.
//   - Namespace: the environment's namespace field (it defaults to the
//     environment's name when the environment is created).
//   - A rollout that fails is not a job failure: the record says failed or
//     rolled_back with the engine's named cause, and the job succeeds. A
//     cancel ends the engine's context: the cluster is left as it was at
//     that moment (no rollback), the record says cancelled.
package deployer
