-- Which Personal Health Gateway relayed each reading (issue 20, HL7 PHD IG gatewayDevice): the
-- home hub that published a Bluetooth device's reading over MQTT, taken from the publisher's
-- authenticated identity at ingest. A patient may have several hubs, so it is kept per reading
-- rather than guessed from the registry. Null when the reading came straight from its device (or
-- a person), or when the relay is not known (an external broker does not say who published).
-- Nullable without a default: adding it rewrites nothing, on plain PostgreSQL or a compressed
-- hypertable alike. No foreign key (a hypertable, and the ingest insert stays one statement).
ALTER TABLE readings ADD COLUMN gateway_id uuid;
