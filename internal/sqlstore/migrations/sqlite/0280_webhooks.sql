-- Outbound webhooks (internal/webhook). A subscription's signing secret
-- lives sealed in the secret store (secret_id); only its id is here.
-- Deliveries are queued in the transaction of the change they report, so
-- they survive a restart; msg_id is the Standard Webhooks message id,
-- stable across retries, and unique per subscription so an event relayed
-- to several replicas is queued once. token fences a worker whose lease
-- was taken over: its writes name the token it claimed with.
CREATE TABLE webhook_subscriptions (
  id              TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  url             TEXT NOT NULL,
  events          TEXT NOT NULL,
  description     TEXT NOT NULL DEFAULT '',
  enabled         INTEGER NOT NULL DEFAULT 1,
  disabled_reason TEXT NOT NULL DEFAULT '',
  secret_id       TEXT NOT NULL,
  created_by      TEXT NOT NULL DEFAULT '',
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL
);
CREATE INDEX webhook_subscriptions_org_idx ON webhook_subscriptions (organization_id, id);

CREATE TABLE webhook_deliveries (
  id               TEXT PRIMARY KEY,
  subscription_id  TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  msg_id           TEXT NOT NULL,
  event_type       TEXT NOT NULL,
  body             TEXT NOT NULL,
  status           TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  round_attempts   INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT,
  token            INTEGER NOT NULL DEFAULT 0,
  lease_owner      TEXT NOT NULL DEFAULT '',
  lease_until      TEXT,
  status_code      INTEGER NOT NULL DEFAULT 0,
  duration_ms      INTEGER NOT NULL DEFAULT 0,
  last_error       TEXT NOT NULL DEFAULT '',
  response_excerpt TEXT NOT NULL DEFAULT '',
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  delivered_at     TEXT
);
CREATE UNIQUE INDEX webhook_deliveries_msg_idx ON webhook_deliveries (subscription_id, msg_id);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_sub_idx ON webhook_deliveries (subscription_id, id);
