-- A system alert for the clinical rules failing on some patients' readings while the rest of the
-- page is evaluated: an event (those readings were passed without their checks), raised by the
-- rules engine and resolved by a person who has seen that the patients' readings were reviewed.
ALTER TABLE system_alerts DROP CONSTRAINT system_alerts_kind_check;
ALTER TABLE system_alerts ADD CONSTRAINT system_alerts_kind_check
  CHECK (kind IN ('database-restarted', 'pipeline-stalled', 'broker-unavailable', 'escalation-delivery-failing', 'timed-checks-failing', 'rules-evaluation-failed'));
