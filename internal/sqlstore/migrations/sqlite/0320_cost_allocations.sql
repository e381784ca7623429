-- Cost allocation over time (internal/allocationstore). Each sample of a
-- cluster's picture is added into one row per (cluster, day, namespace,
-- workload) as it is taken, so storage grows with workloads × days, never
-- with pods × samples. Money is integer nano-dollars. cost_samples marks
-- each (cluster, slot) sampled, so with several replicas a slot counts
-- once. Rows older than the retention (400 days) are pruned.
CREATE TABLE cost_allocations (
  organization_id TEXT NOT NULL,
  cluster_id      TEXT NOT NULL,
  day             TEXT NOT NULL,
  namespace       TEXT NOT NULL,
  workload        TEXT NOT NULL,
  team            TEXT NOT NULL DEFAULT '',
  project         TEXT NOT NULL DEFAULT '',
  service         TEXT NOT NULL DEFAULT '',
  environment     TEXT NOT NULL DEFAULT '',
  cpu_cost        INTEGER NOT NULL DEFAULT 0,
  memory_cost     INTEGER NOT NULL DEFAULT 0,
  usage_cost      INTEGER NOT NULL DEFAULT 0,
  metered_cost    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (cluster_id, day, namespace, workload)
);
CREATE INDEX cost_allocations_org_day_idx ON cost_allocations (organization_id, day);

-- The same costs rolled up per label combination (workloads folded
-- together): what summaries and anomaly series read, so a window costs
-- rows per (day, namespace, labels), not per workload.
CREATE TABLE cost_allocation_groups (
  organization_id TEXT NOT NULL,
  cluster_id      TEXT NOT NULL,
  day             TEXT NOT NULL,
  namespace       TEXT NOT NULL,
  team            TEXT NOT NULL,
  project         TEXT NOT NULL,
  service         TEXT NOT NULL,
  environment     TEXT NOT NULL,
  idle            INTEGER NOT NULL,
  cpu_cost        INTEGER NOT NULL DEFAULT 0,
  memory_cost     INTEGER NOT NULL DEFAULT 0,
  usage_cost      INTEGER NOT NULL DEFAULT 0,
  metered_cost    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (cluster_id, day, namespace, team, project, service, environment, idle)
);
CREATE INDEX cost_allocation_groups_org_day_idx ON cost_allocation_groups (organization_id, day);

CREATE TABLE cost_samples (
  cluster_id TEXT NOT NULL,
  slot       INTEGER NOT NULL,
  pods       INTEGER NOT NULL,
  nodes      INTEGER NOT NULL,
  unpriced   TEXT NOT NULL DEFAULT '[]',
  taken_at   TEXT NOT NULL,
  PRIMARY KEY (cluster_id, slot)
);
