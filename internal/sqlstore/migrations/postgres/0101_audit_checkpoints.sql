-- Signed checkpoints of the audit chain's head (see internal/audit.Checkpoint).
CREATE TABLE audit_checkpoints (
  seq       BIGINT PRIMARY KEY,
  hash      TEXT NOT NULL,
  at        TIMESTAMPTZ NOT NULL,
  signature TEXT NOT NULL
);
