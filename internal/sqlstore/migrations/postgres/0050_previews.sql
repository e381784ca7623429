-- Promotion previews (issue 3). The artifact is stored as TEXT, not JSONB,
-- so that reading it back returns exactly what POST returned (JSONB would
-- reorder its keys).
CREATE TABLE previews (
  id              UUID PRIMARY KEY,
  organization_id UUID NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  project_id      UUID REFERENCES projects (id) ON DELETE CASCADE,
  risk_level      TEXT NOT NULL,
  result          TEXT NOT NULL,
  created_by      TEXT NOT NULL DEFAULT '',
  created_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX previews_organization_id_idx ON previews (organization_id, id);
CREATE INDEX previews_project_id_idx ON previews (project_id, id);
