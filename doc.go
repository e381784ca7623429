// Package capsule is Capsule's domain: the entities (organizations, projects,
// environments, services, revisions, deployments, users), their validation,
// the store interfaces the adapters implement, and the error type whose codes
// every transport maps in one table. It imports neither net/http nor a
// database driver.
package capsule
