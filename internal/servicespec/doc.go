// Package servicespec reads, checks and writes capsule.yaml, the definition of
// one service: name, type, build, start command, port, env, resources,
// scaling, health checks, deploy strategy, ingress, optional storage, and
// per-environment overrides under `environments:`.
//
// A file is checked in three steps, each reporting every problem with the
// file name, the line and the field: YAML syntax (yaml.v3), the JSON Schema
// embedded from capsule.schema.json (validated with
// santhosh-tekuri/jsonschema), and semantic checks the schema cannot express
// (maxReplicas >= minReplicas, request <= limit, a schedule only and always on
// cron services, no ingress on workers, ...). Every environment is resolved
// and checked when the file is parsed, so a bad override fails early.
//
// Design decisions:
//   - Overrides merge like Helm values: mappings merge key by key, scalars and
//     lists replace. An environment that the file does not name resolves to
//     the base configuration (preview environments such as pr-42 need no
//     entry); callers may warn about it.
//   - Defaults depend on the type: web, api and worker services get the
//     preset small (medium on the JVM, which needs room for heap and JIT),
//     static sites and cron jobs dev; one replica (no autoscaling unless
//     maxReplicas > minReplicas, then 70 % CPU), port 8080 for web/api/static,
//     the rolling strategy and 10 % canary traffic.
//   - Resources: the preset fills every quantity the file does not set (see
//     Presets); static sites get half the preset's memory and CPU because a
//     static file server needs little.
//   - storage turns the workload into a StatefulSet; it cannot combine with
//     blue-green or canary (two workloads cannot share one volume claim
//     template) nor with the static and cron types.
//   - YAML anchors and aliases are resolved; merge keys (<<) are not supported.
//   - FromDetection (capsule init): static and PHP services get port 8080,
//     the port of the generated Dockerfile, unless the repository has its
//     own Dockerfile, whose detected port is kept. Schedulers (Celery beat,
//     clock processes, *-scheduler workers) stay at one replica with the
//     recreate strategy in every environment, since two would fire every
//     job twice. Extra processes of one directory (Procfile worker next to
//     web) are written to capsule.<name>.yaml (ProcessFileName).
package servicespec
