-- Core schema of Capsule on PostgreSQL (PRD §4.2 adapted). IDs are UUIDv7
-- generated in Go; timestamps are timestamptz with microsecond precision;
-- JSON columns are jsonb. Keep in step with ../sqlite/0001_core.sql.

CREATE TABLE organizations (
  id                 UUID PRIMARY KEY,
  name               TEXT NOT NULL,
  slug               TEXT NOT NULL,
  subscription_tier  TEXT NOT NULL DEFAULT 'free',
  subscription_seats INTEGER NOT NULL DEFAULT 5,
  billing_cycle      TEXT NOT NULL DEFAULT 'monthly',
  settings           JSONB NOT NULL DEFAULT '{}',
  version            BIGINT NOT NULL DEFAULT 1,
  created_at         TIMESTAMPTZ NOT NULL,
  updated_at         TIMESTAMPTZ NOT NULL,
  CONSTRAINT organizations_slug_key UNIQUE (slug)
);

-- email_key is the lower-cased email, computed in Go, so that uniqueness is
-- case-insensitive in the same way in both dialects.
CREATE TABLE users (
  id            UUID PRIMARY KEY,
  email         TEXT NOT NULL,
  email_key     TEXT NOT NULL,
  name          TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  created_at    TIMESTAMPTZ NOT NULL,
  last_login_at TIMESTAMPTZ,
  CONSTRAINT users_email_key UNIQUE (email_key)
);

CREATE TABLE organization_members (
  organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role            TEXT NOT NULL DEFAULT 'developer',
  invited_by      UUID REFERENCES users (id) ON DELETE SET NULL,
  joined_at       TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_members_user_idx ON organization_members (user_id);

CREATE TABLE projects (
  id                  UUID PRIMARY KEY,
  organization_id     UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name                TEXT NOT NULL,
  slug                TEXT NOT NULL,
  repository_provider TEXT NOT NULL DEFAULT '',
  repository_url      TEXT NOT NULL DEFAULT '',
  repository_branch   TEXT NOT NULL DEFAULT '',
  settings            JSONB NOT NULL DEFAULT '{}',
  version             BIGINT NOT NULL DEFAULT 1,
  created_at          TIMESTAMPTZ NOT NULL,
  updated_at          TIMESTAMPTZ NOT NULL,
  CONSTRAINT projects_organization_id_slug_key UNIQUE (organization_id, slug)
);
-- Lists are ordered by id: these indexes serve "the projects of these
-- organizations, in order" without a sort.
CREATE INDEX projects_organization_idx ON projects (organization_id, id);

CREATE TABLE environments (
  id              UUID PRIMARY KEY,
  project_id      UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  kind            TEXT NOT NULL,
  cluster_id      TEXT NOT NULL DEFAULT '',
  namespace       TEXT NOT NULL,
  delivery_mode   TEXT NOT NULL DEFAULT 'direct',
  approval_policy JSONB NOT NULL DEFAULT '{}',
  version         BIGINT NOT NULL DEFAULT 1,
  created_at      TIMESTAMPTZ NOT NULL,
  updated_at      TIMESTAMPTZ NOT NULL,
  CONSTRAINT environments_project_id_name_key UNIQUE (project_id, name)
);
CREATE INDEX environments_project_idx ON environments (project_id, id);

CREATE TABLE services (
  id            UUID PRIMARY KEY,
  project_id    UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  type          TEXT NOT NULL,
  source        JSONB NOT NULL DEFAULT '{}',
  configuration JSONB NOT NULL DEFAULT '{}',
  status        TEXT NOT NULL DEFAULT 'inactive',
  revision      INTEGER NOT NULL DEFAULT 1,
  version       BIGINT NOT NULL DEFAULT 1,
  created_at    TIMESTAMPTZ NOT NULL,
  updated_at    TIMESTAMPTZ NOT NULL,
  CONSTRAINT services_project_id_name_key UNIQUE (project_id, name)
);
CREATE INDEX services_project_idx ON services (project_id, id);

-- An immutable snapshot of a service's type, source and configuration.
CREATE TABLE service_revisions (
  service_id UUID NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  number     INTEGER NOT NULL,
  snapshot   JSONB NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  created_at TIMESTAMPTZ NOT NULL,
  CONSTRAINT service_revisions_service_id_number_key PRIMARY KEY (service_id, number)
);

-- Deleting an environment deletes its deployment records.
CREATE TABLE deployments (
  id               UUID PRIMARY KEY,
  service_id       UUID NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  environment_id   UUID NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
  revision         INTEGER NOT NULL DEFAULT 0,
  version          TEXT NOT NULL,
  commit_sha       TEXT NOT NULL DEFAULT '',
  commit_message   TEXT NOT NULL DEFAULT '',
  commit_author    TEXT NOT NULL DEFAULT '',
  status           TEXT NOT NULL DEFAULT 'pending',
  replicas_desired INTEGER NOT NULL DEFAULT 1,
  replicas_running INTEGER NOT NULL DEFAULT 0,
  replicas_ready   INTEGER NOT NULL DEFAULT 0,
  message          TEXT NOT NULL DEFAULT '',
  created_at       TIMESTAMPTZ NOT NULL,
  completed_at     TIMESTAMPTZ
);
CREATE INDEX deployments_service_idx ON deployments (service_id, id);
CREATE INDEX deployments_environment_idx ON deployments (environment_id, id);
CREATE INDEX deployments_status_idx ON deployments (status, id);

-- Session and family ids are text (not necessarily UUIDs) in both dialects:
-- the identity package chooses them.
CREATE TABLE sessions (
  id          TEXT PRIMARY KEY,
  user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id   TEXT NOT NULL,
  token_hash  TEXT NOT NULL,
  user_agent  TEXT NOT NULL DEFAULT '',
  ip          TEXT NOT NULL DEFAULT '',
  created_at  TIMESTAMPTZ NOT NULL,
  expires_at  TIMESTAMPTZ NOT NULL,
  revoked_at  TIMESTAMPTZ,
  replaced_by TEXT NOT NULL DEFAULT '',
  CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX sessions_family_idx ON sessions (family_id);
CREATE INDEX sessions_user_idx ON sessions (user_id);
