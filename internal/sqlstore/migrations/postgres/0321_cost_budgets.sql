-- Monthly budgets for the allocated cost of a team, project or environment
-- (internal/allocationstore): the amount as exact decimal text, the alert
-- thresholds (percentages) as a JSON array.
CREATE TABLE cost_budgets (
  id              UUID PRIMARY KEY,
  organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  scope           TEXT NOT NULL,
  name            TEXT NOT NULL,
  monthly_amount  TEXT NOT NULL,
  thresholds      TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL,
  CONSTRAINT cost_budgets_organization_id_scope_name_key UNIQUE (organization_id, scope, name)
);
