-- Identity and access (issue 6), PostgreSQL: API keys, role bindings, custom roles, the
-- append-only audit log, the secret store, MFA, login lockouts, OIDC
-- configurations and invitations. Keep in step with ../sqlite/0100_identity.sql.

CREATE TABLE api_keys (
  id              TEXT PRIMARY KEY,          -- the key's lookup id (cap_<id>_...)
  organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  role            TEXT NOT NULL,
  project_id      UUID REFERENCES projects (id) ON DELETE CASCADE,
  key_hash        TEXT NOT NULL,             -- hex SHA-256 of the whole key
  created_by      TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL,
  expires_at      TIMESTAMPTZ,
  last_used_at    TIMESTAMPTZ,
  revoked_at      TIMESTAMPTZ
);
CREATE INDEX api_keys_organization_idx ON api_keys (organization_id);

CREATE TABLE custom_roles (
  organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name            TEXT NOT NULL,
  description     TEXT NOT NULL DEFAULT '',
  permissions     TEXT NOT NULL,             -- JSON array of permission names
  created_at      TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (organization_id, name)
);

-- Bindings below organization scope; the organization-wide role of a user is
-- organization_members.role.
CREATE TABLE role_bindings (
  id              TEXT PRIMARY KEY,
  organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role            TEXT NOT NULL,
  project_id      UUID NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  environment_id  UUID REFERENCES environments (id) ON DELETE CASCADE,
  created_by      TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX role_bindings_user_idx ON role_bindings (user_id);

-- Append-only: the code has no UPDATE or DELETE of this table. seq orders
-- the hash chain; ids are not foreign keys so entries outlive what they name.
CREATE TABLE audit_log (
  seq             BIGINT PRIMARY KEY,
  at              TIMESTAMPTZ NOT NULL,
  actor_type      TEXT NOT NULL,
  actor_id        TEXT NOT NULL DEFAULT '',
  action          TEXT NOT NULL,
  target_type     TEXT NOT NULL DEFAULT '',
  target_id       TEXT NOT NULL DEFAULT '',
  organization_id TEXT NOT NULL DEFAULT '',
  request_id      TEXT NOT NULL DEFAULT '',
  ip              TEXT NOT NULL DEFAULT '',
  user_agent      TEXT NOT NULL DEFAULT '',
  outcome         TEXT NOT NULL,
  before_summary  TEXT NOT NULL DEFAULT '{}',
  after_summary   TEXT NOT NULL DEFAULT '{}',
  prev_hash       TEXT NOT NULL,
  hash            TEXT NOT NULL
);
CREATE INDEX audit_log_org_idx ON audit_log (organization_id, seq);

-- The chain position of the last archived entry, so the remaining log still
-- verifies after retention moved older entries to an archive file.
CREATE TABLE audit_anchor (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  seq         BIGINT NOT NULL,
  hash        TEXT NOT NULL,
  archived_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE secrets (
  id              TEXT PRIMARY KEY,
  organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  project_id      TEXT NOT NULL DEFAULT '',
  environment_id  TEXT NOT NULL DEFAULT '',
  name            TEXT NOT NULL,
  current_version INTEGER NOT NULL,
  created_by      TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL,
  updated_at      TIMESTAMPTZ NOT NULL,
  CONSTRAINT secrets_scope_name_key UNIQUE (organization_id, project_id, environment_id, name)
);

CREATE TABLE secret_versions (
  secret_id   TEXT NOT NULL REFERENCES secrets (id) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  kek_id      TEXT NOT NULL,
  wrapped_key BYTEA NOT NULL,
  ciphertext  BYTEA NOT NULL,
  created_by  TEXT NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (secret_id, version)
);
CREATE INDEX secret_versions_kek_idx ON secret_versions (kek_id);

CREATE TABLE user_mfa (
  user_id        UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret_sealed  BYTEA NOT NULL,             -- TOTP secret, envelope-encrypted
  secret_kek_id  TEXT NOT NULL,
  secret_wrapped BYTEA NOT NULL,
  confirmed_at   TIMESTAMPTZ,
  last_step      BIGINT NOT NULL DEFAULT 0,
  created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE mfa_recovery_codes (
  user_id   UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  PRIMARY KEY (user_id, code_hash)
);

-- Failed sign-ins per account (key 'user:<email>') and per client
-- (key 'ip:<address>'); a lockout starts at the fifth failure in the window.
CREATE TABLE login_failures (
  key          TEXT PRIMARY KEY,
  failures     INTEGER NOT NULL,
  first_at     TIMESTAMPTZ NOT NULL,
  locked_until TIMESTAMPTZ
);

CREATE TABLE oidc_configs (
  organization_id UUID PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
  issuer          TEXT NOT NULL,
  client_id       TEXT NOT NULL,
  client_secret   TEXT NOT NULL DEFAULT '',  -- a secrets.id, never the value
  default_role    TEXT NOT NULL DEFAULT 'viewer',
  created_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE oidc_identities (
  issuer  TEXT NOT NULL,
  subject TEXT NOT NULL,
  user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (issuer, subject)
);

CREATE TABLE invitations (
  id              TEXT PRIMARY KEY,
  organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  email_key       TEXT NOT NULL,
  role            TEXT NOT NULL,
  token_hash      TEXT NOT NULL,
  invited_by      TEXT NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL,
  expires_at      TIMESTAMPTZ NOT NULL,
  accepted_at     TIMESTAMPTZ,
  CONSTRAINT invitations_token_key UNIQUE (token_hash)
);
