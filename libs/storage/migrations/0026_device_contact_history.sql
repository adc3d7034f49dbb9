-- The history of devices' contact (issue 21: a backtest replays the silence and technical rules at
-- past moments). devices keeps only the latest state (last_seen_at, battery, connection_state of
-- 0014); each change also lands here, append-only, written by the same statement that updates the
-- device: `seen` (heard from, with its battery level when it said one), `online` / `offline` (its
-- status message; offline as the last will). A device's state as of a past moment is the fold of
-- its rows up to then (libs/rules deviceStateAsOf). One small row per contact: the gateway batches
-- last-seen into one statement every few seconds (device-activity.tracker.ts).
CREATE TABLE device_contacts (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  device_id     uuid NOT NULL REFERENCES devices (id),
  at            timestamptz NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('seen', 'online', 'offline')),
  battery_level smallint CHECK (battery_level BETWEEN 0 AND 100),
  CHECK (battery_level IS NULL OR kind = 'seen')
);
CREATE INDEX device_contacts_device_at ON device_contacts (device_id, at);
