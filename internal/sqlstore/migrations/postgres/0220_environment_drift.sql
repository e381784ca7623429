-- The last drift check of each environment (internal/drift's monitor):
-- when it ran, whether the environment was in sync, and the drifted
-- objects (JSON). lease_owner, lease_until and token are the check's lease:
-- one replica checks an environment at a time, and a holder whose lease
-- was taken over (token moved on) writes nothing. in_sync and checked_at
-- stay NULL until the first check that could compare.
CREATE TABLE environment_drift (
  environment_id UUID PRIMARY KEY REFERENCES environments (id) ON DELETE CASCADE,
  checked_at     TIMESTAMPTZ,
  in_sync        BOOLEAN,
  summary        TEXT NOT NULL DEFAULT '',
  lease_owner    TEXT NOT NULL DEFAULT '',
  lease_until    TIMESTAMPTZ,
  token          BIGINT NOT NULL DEFAULT 0
);
