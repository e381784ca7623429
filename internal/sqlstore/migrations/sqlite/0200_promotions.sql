-- Promotions between environments: the request with its summary
-- (workload_promotions), the preview's parts, each as the engine's JSON
-- text (workload_diffs, promotion_costs, promotion_risks, llm_explanations),
-- and every approval and rejection (promotion_approvals). The environment
-- gains the Git repository a gitops environment is delivered through.
ALTER TABLE environments ADD COLUMN git TEXT NOT NULL DEFAULT 'null';

CREATE TABLE workload_promotions (
  id                 TEXT PRIMARY KEY,
  organization_id    TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  project_id         TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  service_id         TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  source_env_id      TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
  target_env_id      TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
  cluster_id         TEXT NOT NULL DEFAULT '',
  source_revision    INTEGER NOT NULL DEFAULT 0,
  image              TEXT NOT NULL DEFAULT '',
  git_commit         TEXT NOT NULL DEFAULT '',
  status             TEXT NOT NULL,
  added              INTEGER NOT NULL DEFAULT 0,
  removed            INTEGER NOT NULL DEFAULT 0,
  modified           INTEGER NOT NULL DEFAULT 0,
  risk_level         TEXT NOT NULL DEFAULT '',
  cost_delta_micros  INTEGER NOT NULL DEFAULT 0,
  target_fingerprint TEXT NOT NULL DEFAULT '',
  source_fingerprint TEXT NOT NULL DEFAULT '',
  target_source      TEXT NOT NULL DEFAULT '',
  previewed_at       TEXT NOT NULL,
  requested_by       TEXT NOT NULL DEFAULT '',
  gates              TEXT NOT NULL DEFAULT '[]',
  delivery           TEXT NOT NULL DEFAULT '{}',
  conflicts          TEXT NOT NULL DEFAULT '[]',
  note               TEXT NOT NULL DEFAULT '',
  version            INTEGER NOT NULL DEFAULT 1,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
);

CREATE INDEX workload_promotions_org_idx ON workload_promotions (organization_id, id);
CREATE INDEX workload_promotions_service_target_idx ON workload_promotions (service_id, target_env_id, status);

CREATE TABLE workload_diffs (
  promotion_id TEXT PRIMARY KEY REFERENCES workload_promotions (id) ON DELETE CASCADE,
  diff         TEXT NOT NULL
);

CREATE TABLE promotion_costs (
  promotion_id   TEXT PRIMARY KEY REFERENCES workload_promotions (id) ON DELETE CASCADE,
  estimated_cost TEXT NOT NULL
);

CREATE TABLE promotion_risks (
  promotion_id TEXT PRIMARY KEY REFERENCES workload_promotions (id) ON DELETE CASCADE,
  risk_level   TEXT NOT NULL,
  risks        TEXT NOT NULL,
  not_assessed TEXT NOT NULL
);

CREATE TABLE llm_explanations (
  promotion_id TEXT PRIMARY KEY REFERENCES workload_promotions (id) ON DELETE CASCADE,
  explanation  TEXT NOT NULL,
  source       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE promotion_approvals (
  id              TEXT PRIMARY KEY,
  promotion_id    TEXT NOT NULL REFERENCES workload_promotions (id) ON DELETE CASCADE,
  decision        TEXT NOT NULL,
  decided_by      TEXT NOT NULL,
  comment         TEXT NOT NULL DEFAULT '',
  override_reason TEXT NOT NULL DEFAULT '',
  created_at      TEXT NOT NULL
);

CREATE INDEX promotion_approvals_promotion_idx ON promotion_approvals (promotion_id, id);
