-- Readings keep three times (ARCHITECTURE.md, "Time"): measured_at (device clock corrected for
-- skew; rules and trends run on it), device_time (as the device said) and received_at.
-- No primary key: a TimescaleDB hypertable can only have unique indexes that include the
-- partitioning column, and the same table must serve both modes.
CREATE TABLE readings (
  id               bigint GENERATED ALWAYS AS IDENTITY,
  patient_id       uuid NOT NULL,
  device_id        uuid,
  vital            text NOT NULL,
  value            double precision NOT NULL,
  unit             text NOT NULL,
  measured_at      timestamptz NOT NULL,
  device_time      timestamptz,
  received_at      timestamptz NOT NULL,
  source           text NOT NULL CHECK (source IN ('ble', 'mqtt', 'manual', 'fhir')),
  status           text[] NOT NULL DEFAULT '{}',
  idempotency_key  text NOT NULL,
  -- The writing transaction, for the consumer cursor: a reader only passes rows whose
  -- transaction is older than every transaction still in flight, so a slow writer's row can
  -- never be skipped (identity values are allocated before commit, not in commit order).
  txid             xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX readings_patient_vital_measured ON readings (patient_id, vital, measured_at DESC);
CREATE INDEX readings_patient_measured ON readings (patient_id, measured_at DESC);
CREATE INDEX readings_txid ON readings (txid, id);

-- Duplicate detection (HL7 PHD IG: device, type, device time, value). A table of its own because
-- the key does not contain measured_at, the hypertable's partitioning column: a redelivered
-- reading may be clock-corrected to a slightly different measured_at and must still be caught.
CREATE TABLE reading_keys (
  idempotency_key  text PRIMARY KEY,
  measured_at      timestamptz NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);
