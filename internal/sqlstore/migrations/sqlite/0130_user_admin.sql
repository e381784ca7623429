-- A disabled user cannot sign in, and their access tokens are refused.
ALTER TABLE users ADD COLUMN disabled_at TEXT;
