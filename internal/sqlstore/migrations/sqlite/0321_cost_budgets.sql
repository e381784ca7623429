-- Monthly budgets for the allocated cost of a team, project or environment
-- (internal/allocationstore): the amount as exact decimal text, the alert
-- thresholds (percentages) as a JSON array.
CREATE TABLE cost_budgets (
  id              TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  scope           TEXT NOT NULL,
  name            TEXT NOT NULL,
  monthly_amount  TEXT NOT NULL,
  thresholds      TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  CONSTRAINT cost_budgets_organization_id_scope_name_key UNIQUE (organization_id, scope, name)
);
