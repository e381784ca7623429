-- What a deployment made by the deploy, rollback or scale route needs
-- beyond its record: the job that runs it, what was asked (action, image,
-- strategy, replicas) and the rendered objects it applied, kept so a later
-- rollback can put exactly those objects back. One row per deployment,
-- deleted with it.
CREATE TABLE deployment_runs (
  deployment_id   UUID PRIMARY KEY REFERENCES deployments (id) ON DELETE CASCADE,
  job_id          TEXT NOT NULL,
  action          TEXT NOT NULL,
  image           TEXT NOT NULL DEFAULT '',
  strategy        TEXT NOT NULL DEFAULT '',
  replicas        INTEGER NOT NULL DEFAULT 0,
  namespace       TEXT NOT NULL DEFAULT '',
  config_revision INTEGER NOT NULL DEFAULT 0,
  objects         TEXT NOT NULL DEFAULT ''
);
