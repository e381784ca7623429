-- Cluster agents and the inventory they stream (internal/inventory).
-- Join tokens and agent credentials are stored only as SHA-256 hashes.
CREATE TABLE agent_join_tokens (
  token_hash      TEXT PRIMARY KEY,
  cluster_id      TEXT NOT NULL,
  organization_id TEXT NOT NULL,
  created_by      TEXT NOT NULL DEFAULT '',
  created_at      TIMESTAMPTZ NOT NULL,
  expires_at      TIMESTAMPTZ NOT NULL,
  used_at         TIMESTAMPTZ
);

CREATE TABLE agents (
  id              TEXT PRIMARY KEY,
  cluster_id      TEXT NOT NULL,
  organization_id TEXT NOT NULL,
  credential_hash TEXT NOT NULL,
  hostname        TEXT NOT NULL DEFAULT '',
  agent_version   TEXT NOT NULL DEFAULT '',
  cluster_version TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL,
  registered_at   TIMESTAMPTZ NOT NULL,
  last_heartbeat  TIMESTAMPTZ,
  revoked_at      TIMESTAMPTZ,
  session         TEXT NOT NULL DEFAULT '',
  seq             BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX agents_cluster_id_idx ON agents (cluster_id, registered_at);

-- One row per cluster object: a delta touches only its rows, and queries
-- by kind and namespace are prefix scans of the primary key.
CREATE TABLE inventory_objects (
  cluster_id       TEXT NOT NULL,
  kind             TEXT NOT NULL,
  namespace        TEXT NOT NULL,
  name             TEXT NOT NULL,
  uid              TEXT NOT NULL,
  resource_version TEXT NOT NULL,
  body             TEXT NOT NULL,
  PRIMARY KEY (cluster_id, kind, namespace, name)
);

CREATE TABLE cluster_snapshots (
  id           TEXT PRIMARY KEY,
  cluster_id   TEXT NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL,
  created_by   TEXT NOT NULL DEFAULT '',
  object_count BIGINT NOT NULL,
  counts       TEXT NOT NULL,
  body         BYTEA NOT NULL
);

CREATE INDEX cluster_snapshots_cluster_id_idx ON cluster_snapshots (cluster_id, id);
