-- Promotion previews (issue 3). The artifact is stored as text, byte for
-- byte, so that reading it back returns exactly what POST returned.
CREATE TABLE previews (
  id              TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  project_id      TEXT REFERENCES projects (id) ON DELETE CASCADE,
  risk_level      TEXT NOT NULL,
  result          TEXT NOT NULL,
  created_by      TEXT NOT NULL DEFAULT '',
  created_at      TEXT NOT NULL
);

CREATE INDEX previews_organization_id_idx ON previews (organization_id, id);
CREATE INDEX previews_project_id_idx ON previews (project_id, id);
