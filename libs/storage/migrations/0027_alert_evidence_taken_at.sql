-- When the engine last took new evidence into an alert (raised, repeated or worsened): a device
-- problem's alert takes in more of the same at most every few minutes (decideAlert,
-- TECHNICAL_REFRESH_MS), counted from this, not from updated_at, which a person's note or
-- assignment also moves. Existing alerts take it from their trail. Read as opened_at where null.
ALTER TABLE alerts ADD COLUMN evidence_taken_at timestamptz;
UPDATE alerts a SET evidence_taken_at = coalesce(
  (SELECT max(e.at) FROM alert_events e WHERE e.alert_id = a.id AND e.kind IN ('raised', 'repeated', 'worsened')),
  a.opened_at);
