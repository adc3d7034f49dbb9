-- A system alert for the rules engine's timed checks (escalations, reminders, silence and device
-- checks) failing for some alerts or patients while the rest go on: a condition, raised by the
-- timer pass that saw the failures and resolved by the first pass without any.
ALTER TABLE system_alerts DROP CONSTRAINT system_alerts_kind_check;
ALTER TABLE system_alerts ADD CONSTRAINT system_alerts_kind_check
  CHECK (kind IN ('database-restarted', 'pipeline-stalled', 'broker-unavailable', 'escalation-delivery-failing', 'timed-checks-failing'));
