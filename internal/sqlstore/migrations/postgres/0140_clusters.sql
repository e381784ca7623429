-- Clusters registered in an organization. The write credential is a secret
-- in the secret store (sealed with the master key like every secret);
-- credential_secret_id names it, '' when the cluster has none. Environments
-- refer to a cluster by id in environments.cluster_id, checked by the store
-- (the column predates this table, and its values are text where ids are
-- UUIDs here).
CREATE TABLE clusters (
  id                   UUID PRIMARY KEY,
  organization_id      UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name                 TEXT NOT NULL,
  cloud_provider       TEXT NOT NULL DEFAULT '',
  region               TEXT NOT NULL DEFAULT '',
  metadata             JSONB NOT NULL DEFAULT '{}',
  agent_status         TEXT NOT NULL DEFAULT 'none',
  credential_secret_id TEXT NOT NULL DEFAULT '',
  server_version       TEXT NOT NULL DEFAULT '',
  checked_at           TIMESTAMPTZ,
  version              BIGINT NOT NULL DEFAULT 1,
  created_at           TIMESTAMPTZ NOT NULL,
  updated_at           TIMESTAMPTZ NOT NULL,
  CONSTRAINT clusters_organization_id_name_key UNIQUE (organization_id, name)
);
CREATE INDEX clusters_organization_idx ON clusters (organization_id, id);
CREATE INDEX environments_cluster_idx ON environments (cluster_id);
