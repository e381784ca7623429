-- Signed checkpoints of the audit chain's head (see internal/audit.Checkpoint).
CREATE TABLE audit_checkpoints (
  seq       INTEGER PRIMARY KEY,
  hash      TEXT NOT NULL,
  at        TEXT NOT NULL,
  signature TEXT NOT NULL
);
