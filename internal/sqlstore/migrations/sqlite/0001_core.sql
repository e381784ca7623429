-- Core schema of Capsule on SQLite (PRD §4.2 adapted). IDs are UUIDv7 text
-- generated in Go; timestamps are fixed-width UTC text
-- (2006-01-02T15:04:05.000000Z) so they sort and round-trip like PostgreSQL's
-- timestamptz; JSON columns are text.

CREATE TABLE organizations (
  id                 TEXT PRIMARY KEY,
  name               TEXT NOT NULL,
  slug               TEXT NOT NULL,
  subscription_tier  TEXT NOT NULL DEFAULT 'free',
  subscription_seats INTEGER NOT NULL DEFAULT 5,
  billing_cycle      TEXT NOT NULL DEFAULT 'monthly',
  settings           TEXT NOT NULL DEFAULT '{}',
  version            INTEGER NOT NULL DEFAULT 1,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  CONSTRAINT organizations_slug_key UNIQUE (slug)
);

-- email_key is the lower-cased email, computed in Go, so that uniqueness is
-- case-insensitive in the same way in both dialects.
CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  email         TEXT NOT NULL,
  email_key     TEXT NOT NULL,
  name          TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  created_at    TEXT NOT NULL,
  last_login_at TEXT,
  CONSTRAINT users_email_key UNIQUE (email_key)
);

CREATE TABLE organization_members (
  organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role            TEXT NOT NULL DEFAULT 'developer',
  invited_by      TEXT REFERENCES users (id) ON DELETE SET NULL,
  joined_at       TEXT NOT NULL,
  PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_members_user_idx ON organization_members (user_id);

CREATE TABLE projects (
  id                  TEXT PRIMARY KEY,
  organization_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name                TEXT NOT NULL,
  slug                TEXT NOT NULL,
  repository_provider TEXT NOT NULL DEFAULT '',
  repository_url      TEXT NOT NULL DEFAULT '',
  repository_branch   TEXT NOT NULL DEFAULT '',
  settings            TEXT NOT NULL DEFAULT '{}',
  version             INTEGER NOT NULL DEFAULT 1,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL,
  CONSTRAINT projects_organization_id_slug_key UNIQUE (organization_id, slug)
);
-- Lists are ordered by id: these indexes serve "the projects of these
-- organizations, in order" without a sort.
CREATE INDEX projects_organization_idx ON projects (organization_id, id);

CREATE TABLE environments (
  id              TEXT PRIMARY KEY,
  project_id      TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  kind            TEXT NOT NULL,
  cluster_id      TEXT NOT NULL DEFAULT '',
  namespace       TEXT NOT NULL,
  delivery_mode   TEXT NOT NULL DEFAULT 'direct',
  approval_policy TEXT NOT NULL DEFAULT '{}',
  version         INTEGER NOT NULL DEFAULT 1,
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  CONSTRAINT environments_project_id_name_key UNIQUE (project_id, name)
);
CREATE INDEX environments_project_idx ON environments (project_id, id);

CREATE TABLE services (
  id            TEXT PRIMARY KEY,
  project_id    TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  type          TEXT NOT NULL,
  source        TEXT NOT NULL DEFAULT '{}',
  configuration TEXT NOT NULL DEFAULT '{}',
  status        TEXT NOT NULL DEFAULT 'inactive',
  revision      INTEGER NOT NULL DEFAULT 1,
  version       INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  CONSTRAINT services_project_id_name_key UNIQUE (project_id, name)
);
CREATE INDEX services_project_idx ON services (project_id, id);

-- An immutable snapshot of a service's type, source and configuration.
CREATE TABLE service_revisions (
  service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  number     INTEGER NOT NULL,
  snapshot   TEXT NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  CONSTRAINT service_revisions_service_id_number_key PRIMARY KEY (service_id, number)
);

-- Deleting an environment deletes its deployment records.
CREATE TABLE deployments (
  id               TEXT PRIMARY KEY,
  service_id       TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  environment_id   TEXT NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
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
  created_at       TEXT NOT NULL,
  completed_at     TEXT
);
CREATE INDEX deployments_service_idx ON deployments (service_id, id);
CREATE INDEX deployments_environment_idx ON deployments (environment_id, id);
CREATE INDEX deployments_status_idx ON deployments (status, id);

-- Session and family ids are text (not necessarily UUIDs) in both dialects:
-- the identity package chooses them.
CREATE TABLE sessions (
  id          TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id   TEXT NOT NULL,
  token_hash  TEXT NOT NULL,
  user_agent  TEXT NOT NULL DEFAULT '',
  ip          TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  revoked_at  TEXT,
  replaced_by TEXT NOT NULL DEFAULT '',
  CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX sessions_family_idx ON sessions (family_id);
CREATE INDEX sessions_user_idx ON sessions (user_id);
