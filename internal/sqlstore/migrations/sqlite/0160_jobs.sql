-- Durable operations (internal/jobs). position orders the jobs of one
-- serialization key; the partial unique index makes "one running job per
-- key" a rule of the database, not only of the claim query. token is the
-- fencing token, incremented on every claim: writes of a holder name it,
-- so a holder whose lease was taken over changes nothing.
CREATE TABLE jobs (
  position         INTEGER PRIMARY KEY AUTOINCREMENT,
  id               TEXT NOT NULL UNIQUE,
  kind             TEXT NOT NULL,
  serial_key       TEXT NOT NULL,
  subject          TEXT NOT NULL DEFAULT '',
  payload          TEXT NOT NULL,
  status           TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  token            INTEGER NOT NULL DEFAULT 0,
  lease_owner      TEXT NOT NULL DEFAULT '',
  lease_expires_at TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  last_error       TEXT NOT NULL DEFAULT '',
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL,
  started_at       TEXT,
  finished_at      TEXT
);

CREATE UNIQUE INDEX jobs_one_running_per_key ON jobs (serial_key) WHERE status = 'running';
CREATE INDEX jobs_active_idx ON jobs (position) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_serial_key_idx ON jobs (serial_key, position);
CREATE INDEX jobs_subject_idx ON jobs (subject, position);
