-- Nothing swallowed (issue 15): a finding worse than an episode's unresolved alert raises its
-- severity and, if a person had acknowledged or escalated it, re-opens it. The alert keeps when it
-- last worsened and from which severity, so the worklist can say "worsened from medium"; the
-- history records it as a 'worsened' event. The decision itself is @homeward/domain's decideAlert.

ALTER TABLE alerts
  ADD COLUMN worsened_at   timestamptz,
  ADD COLUMN worsened_from text CHECK (worsened_from IN ('low', 'low-medium', 'medium', 'high')),
  ADD CONSTRAINT alerts_worsened_together CHECK ((worsened_at IS NULL) = (worsened_from IS NULL));

ALTER TABLE alert_events DROP CONSTRAINT alert_events_kind_check;
ALTER TABLE alert_events ADD CONSTRAINT alert_events_kind_check
  CHECK (kind IN ('raised', 'repeated', 'acknowledged', 'escalated', 'resolved', 'assigned', 'noted', 'reminded', 'worsened'));
