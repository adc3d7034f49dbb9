-- A device's last connection status (issue 15 item 3): the `state` of its retained status message,
-- "online" on connect and "offline" as its MQTT last will or a clean goodbye, with when Homeward
-- received it. Kept apart from last_seen_at on purpose: a last will is not the device being heard
-- from, so it must not refresh last_seen_at, and isDeviceOffline (libs/rules) needs both to tell
-- "offline since its last will" from "silent too long". Not in the homeward_devices notification
-- (0009): no gateway cache depends on it.
ALTER TABLE devices
  ADD COLUMN connection_state text CHECK (connection_state IN ('online', 'offline')),
  ADD COLUMN connection_at timestamptz,
  ADD CONSTRAINT devices_connection_state_at CHECK ((connection_state IS NULL) = (connection_at IS NULL));
