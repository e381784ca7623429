-- Cloud billing data (internal/billingstore). An account is one billing
-- source of an organization (a FOCUS export, a CUR, a GCP or Azure
-- export); an import is one billing period (YYYY-MM) of an account,
-- replaced as a whole when the period is imported again; records are its
-- rows as FOCUS columns. Money is kept as exact decimal text (up to 18
-- decimal places), summed in Go, never as floating point.
CREATE TABLE billing_accounts (
  id              TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  provider        TEXT NOT NULL,
  format          TEXT NOT NULL DEFAULT '',
  created_at      TEXT NOT NULL,
  CONSTRAINT billing_accounts_organization_id_name_key UNIQUE (organization_id, name)
);

CREATE TABLE billing_imports (
  id              TEXT PRIMARY KEY,
  account_id      TEXT NOT NULL REFERENCES billing_accounts (id) ON DELETE CASCADE,
  organization_id TEXT NOT NULL,
  period          TEXT NOT NULL,
  format          TEXT NOT NULL,
  row_count       INTEGER NOT NULL,
  rejected        INTEGER NOT NULL,
  billed_total    TEXT NOT NULL,
  effective_total TEXT NOT NULL,
  currency        TEXT NOT NULL DEFAULT '',
  errors          TEXT NOT NULL DEFAULT '[]',
  created_at      TEXT NOT NULL,
  CONSTRAINT billing_imports_account_id_period_key UNIQUE (account_id, period)
);

CREATE TABLE billing_records (
  import_id           TEXT NOT NULL REFERENCES billing_imports (id) ON DELETE CASCADE,
  line                INTEGER NOT NULL,
  account_id          TEXT NOT NULL,
  organization_id     TEXT NOT NULL,
  day                 TEXT NOT NULL,
  charge_period_start TEXT NOT NULL,
  charge_category     TEXT NOT NULL,
  commitment          TEXT NOT NULL DEFAULT '',
  service_name        TEXT NOT NULL DEFAULT '',
  resource_id         TEXT NOT NULL DEFAULT '',
  region_id           TEXT NOT NULL DEFAULT '',
  sub_account_id      TEXT NOT NULL DEFAULT '',
  cluster             TEXT NOT NULL DEFAULT '',
  currency            TEXT NOT NULL DEFAULT '',
  billed_cost         TEXT NOT NULL,
  effective_cost      TEXT NOT NULL,
  list_cost           TEXT NOT NULL,
  contracted_cost     TEXT NOT NULL,
  tags                TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (import_id, line)
);
CREATE INDEX billing_records_organization_day_idx ON billing_records (organization_id, day);
CREATE INDEX billing_records_account_day_idx ON billing_records (account_id, day);
