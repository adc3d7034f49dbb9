-- The history of devices' contact (issue 21: a backtest replays the silence and technical rules at
-- past moments). devices keeps only the latest state (last_seen_at, battery, connection_state of
-- 0014); every change also lands here, written by the same statement that updates the device:
--   seen     heard from, as a span [at, until]: a contact within CONTACT_SPAN_GAP (5 minutes) of
--            the span's end extends it (the gateway flushes last-seen every few seconds; a hub in
--            touch all day is one row, not thousands); with the battery level it said at `at`
--            (a new row whenever a battery level comes);
--   online / offline   its status message (offline: the last will), one row each, at `at`.
-- A device's state as of a past moment is the fold of its rows up to then: inside a span it was
-- heard from at most 5 minutes before, which keeps "offline after 30 minutes" exact.
CREATE TABLE device_contacts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id     uuid NOT NULL REFERENCES devices (id),
  at            timestamptz NOT NULL,
  until         timestamptz,
  kind          text NOT NULL CHECK (kind IN ('seen', 'online', 'offline')),
  battery_level smallint CHECK (battery_level BETWEEN 0 AND 100),
  CHECK ((kind = 'seen') = (until IS NOT NULL)),
  CHECK (until IS NULL OR until >= at),
  CHECK (battery_level IS NULL OR kind = 'seen')
);
CREATE INDEX device_contacts_device_at ON device_contacts (device_id, at);
-- The span a new contact extends: the device's latest, found by its end.
CREATE INDEX device_contacts_span_end ON device_contacts (device_id, until) WHERE kind = 'seen';
