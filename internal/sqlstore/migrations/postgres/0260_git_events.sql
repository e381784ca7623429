-- Inbound Git webhooks. An environment may track a branch (a push to it
-- deploys the project there); a pull-request environment carries what it
-- was made from (number, head, URL, expiry) as JSON, null for the others.
ALTER TABLE environments ADD COLUMN branch TEXT NOT NULL DEFAULT '';
ALTER TABLE environments ADD COLUMN preview JSONB NOT NULL DEFAULT 'null';

-- One row per webhook delivery received, whatever became of it. dedup_key
-- is provider:delivery-id for deliveries whose signature verified, NULL for
-- the others, so a forged delivery cannot claim the id of a genuine one.
CREATE TABLE git_hook_deliveries (
  id          UUID PRIMARY KEY,
  provider    TEXT NOT NULL,
  delivery_id TEXT NOT NULL DEFAULT '',
  event       TEXT NOT NULL DEFAULT '',
  repository  TEXT NOT NULL DEFAULT '',
  project_id  UUID REFERENCES projects (id) ON DELETE CASCADE, -- NULL: no project matched
  received_at TIMESTAMPTZ NOT NULL,
  outcome     TEXT NOT NULL,
  reason      TEXT NOT NULL DEFAULT '',
  dedup_key   TEXT,
  CONSTRAINT git_hook_deliveries_dedup_key UNIQUE (dedup_key)
);
CREATE INDEX git_hook_deliveries_project_idx ON git_hook_deliveries (project_id, id);
