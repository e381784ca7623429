-- Scheduled S3 imports of billing exports (internal/billings3). An account
-- may name an S3-compatible bucket and prefix it exports into (source, JSON:
-- {"s3": {endpoint, region, bucket, prefix, access_key_id}}); the secret
-- access key is a sealed secret of the secret store (source_secret_id).
-- billing_s3_objects remembers each imported object's ETag, written in the
-- transaction of its period's import, so a sync re-imports a period only
-- when one of its objects is new, changed or gone. billing_s3_sync is one
-- lease per account, so one replica syncs an account at a time.
ALTER TABLE billing_accounts ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE billing_accounts ADD COLUMN source_secret_id TEXT NOT NULL DEFAULT '';

CREATE TABLE billing_s3_objects (
  account_id UUID NOT NULL REFERENCES billing_accounts (id) ON DELETE CASCADE,
  object_key TEXT NOT NULL,
  period     TEXT NOT NULL,
  etag       TEXT NOT NULL,
  PRIMARY KEY (account_id, object_key)
);

CREATE TABLE billing_s3_sync (
  account_id  UUID PRIMARY KEY REFERENCES billing_accounts (id) ON DELETE CASCADE,
  lease_owner TEXT NOT NULL DEFAULT '',
  lease_until TIMESTAMPTZ,
  token       BIGINT NOT NULL DEFAULT 0,
  synced_at   TIMESTAMPTZ
);
