-- Each budget threshold reached (kind breach) or forecast to be reached
-- (kind forecast) is reported once per month: the row is the mark,
-- committed with the audit entry and the queued webhook.
CREATE TABLE cost_budget_alerts (
  budget_id TEXT NOT NULL,
  month     TEXT NOT NULL,
  threshold INTEGER NOT NULL,
  kind      TEXT NOT NULL,
  PRIMARY KEY (budget_id, month, threshold, kind)
);
