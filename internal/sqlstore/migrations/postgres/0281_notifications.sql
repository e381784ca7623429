-- Notification channels and rules (internal/notify). A channel's secret
-- parts are sealed in the secret store (secret_id); config holds only what
-- may be shown. The queue keeps each routed event until the dispatcher
-- sends it (grouped, or held through quiet hours), so nothing is lost on a
-- restart; the channel's lease keeps one replica dispatching it.
CREATE TABLE notification_channels (
  id              UUID PRIMARY KEY,
  organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  kind            TEXT NOT NULL,
  config          TEXT NOT NULL,
  secret_id       TEXT NOT NULL DEFAULT '',
  quiet_hours     TEXT NOT NULL DEFAULT '',
  window_seconds  INTEGER NOT NULL DEFAULT 60,
  lease_owner     TEXT NOT NULL DEFAULT '',
  lease_until     TIMESTAMPTZ,
  created_by      TEXT NOT NULL DEFAULT '',
  created_at      TIMESTAMPTZ NOT NULL,
  updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX notification_channels_org_idx ON notification_channels (organization_id, id);

CREATE TABLE notification_rules (
  id              UUID PRIMARY KEY,
  organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  channel_id      UUID NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
  events          TEXT NOT NULL,
  project_id      TEXT NOT NULL DEFAULT '',
  environment_id  TEXT NOT NULL DEFAULT '',
  min_severity    TEXT NOT NULL DEFAULT 'info',
  created_by      TEXT NOT NULL DEFAULT '',
  created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX notification_rules_org_idx ON notification_rules (organization_id, id);

CREATE TABLE notification_queue (
  id          UUID PRIMARY KEY,
  channel_id  UUID NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
  dedup_key   TEXT NOT NULL,
  event       TEXT NOT NULL,
  status      TEXT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT NOT NULL DEFAULT '',
  created_at  TIMESTAMPTZ NOT NULL,
  sent_at     TIMESTAMPTZ
);
CREATE UNIQUE INDEX notification_queue_dedup_idx ON notification_queue (channel_id, dedup_key);
CREATE INDEX notification_queue_pending_idx ON notification_queue (channel_id, created_at) WHERE status = 'pending';
