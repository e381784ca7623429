-- Durable operations (internal/jobs). position orders the jobs of one
-- serialization key (a database sequence, not the clock, so replicas with
-- skewed clocks still queue in the order the database saw); the partial
-- unique index makes "one running job per key" a rule of the database, not
-- only of the claim query. token is the fencing token, incremented on every
-- claim: writes of a holder name it, so a holder whose lease was taken over
-- changes nothing.
CREATE TABLE jobs (
  position         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id               UUID NOT NULL UNIQUE,
  kind             TEXT NOT NULL,
  serial_key       TEXT NOT NULL,
  subject          TEXT NOT NULL DEFAULT '',
  payload          TEXT NOT NULL,
  status           TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  token            BIGINT NOT NULL DEFAULT 0,
  lease_owner      TEXT NOT NULL DEFAULT '',
  lease_expires_at TIMESTAMPTZ,
  cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
  last_error       TEXT NOT NULL DEFAULT '',
  created_at       TIMESTAMPTZ NOT NULL,
  updated_at       TIMESTAMPTZ NOT NULL,
  started_at       TIMESTAMPTZ,
  finished_at      TIMESTAMPTZ
);

CREATE UNIQUE INDEX jobs_one_running_per_key ON jobs (serial_key) WHERE status = 'running';
CREATE INDEX jobs_active_idx ON jobs (position) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_serial_key_idx ON jobs (serial_key, position);
CREATE INDEX jobs_subject_idx ON jobs (subject, position);

-- Live events (internal/events) take their sequence numbers here, so every
-- replica numbers the events of the installation in one order.
CREATE SEQUENCE capsule_event_seq;
