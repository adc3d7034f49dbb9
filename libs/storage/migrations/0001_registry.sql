-- Wards, people, patients, admissions, devices; and the two tables that keep what we were told
-- and what was done: rejected_messages and audit_log.

-- NHS number Modulus 11 check (NHS Data Dictionary), so the database refuses an invalid number
-- even if a caller forgot to validate it. Mirrors parseNhsNumber in libs/domain.
CREATE FUNCTION homeward_nhs_number_valid(n text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT n ~ '^[0-9]{10}$' AND (
    WITH s AS (
      SELECT 11 - (sum(substr(n, i, 1)::int * (11 - i)) % 11) AS check_digit
      FROM generate_series(1, 9) AS i
    )
    SELECT CASE check_digit WHEN 11 THEN 0 WHEN 10 THEN NULL ELSE check_digit END = substr(n, 10, 1)::int
    FROM s
  ) IS TRUE
$$;

CREATE TABLE wards (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email          text NOT NULL CHECK (email = lower(email) AND position('@' IN email) > 1),
  display_name   text NOT NULL,
  role           text NOT NULL CHECK (role IN ('patient', 'nurse', 'clinician', 'admin')),
  password_hash  text,
  disabled_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE ward_members (
  ward_id  uuid NOT NULL REFERENCES wards (id) ON DELETE CASCADE,
  user_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  PRIMARY KEY (ward_id, user_id)
);

CREATE TABLE patients (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  nhs_number     char(10) NOT NULL UNIQUE CHECK (homeward_nhs_number_valid(nhs_number)),
  given_name     text NOT NULL,
  family_name    text NOT NULL,
  date_of_birth  date NOT NULL,
  user_id        uuid REFERENCES users (id),
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE admissions (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id        uuid NOT NULL REFERENCES patients (id),
  ward_id           uuid NOT NULL REFERENCES wards (id),
  pathway           text NOT NULL CHECK (pathway IN ('heart-failure', 'copd', 'acute-respiratory-infection', 'frailty', 'general')),
  care_plan         jsonb NOT NULL DEFAULT '{}'::jsonb,
  admitted_at       timestamptz NOT NULL DEFAULT now(),
  discharged_at     timestamptz,
  discharge_reason  text,
  CHECK (discharged_at IS NULL OR discharged_at >= admitted_at)
);
-- A patient is on at most one virtual ward at a time.
CREATE UNIQUE INDEX admissions_one_active ON admissions (patient_id) WHERE discharged_at IS NULL;
CREATE INDEX admissions_ward ON admissions (ward_id) WHERE discharged_at IS NULL;

CREATE TABLE devices (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type               text NOT NULL CHECK (type IN ('blood-pressure-monitor', 'pulse-oximeter', 'weight-scale', 'thermometer', 'glucose-meter', 'hub', 'patient-app')),
  serial             text NOT NULL,
  model              text,
  ble_address        text CHECK (ble_address IS NULL OR ble_address ~ '^([0-9a-f]{2}:){5}[0-9a-f]{2}$'),
  patient_id         uuid REFERENCES patients (id),
  credentials_hash   text,
  last_seen_at       timestamptz,
  battery_level      smallint CHECK (battery_level BETWEEN 0 AND 100),
  battery_at         timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (type, serial)
);
CREATE UNIQUE INDEX devices_ble_address_key ON devices (ble_address) WHERE ble_address IS NOT NULL;
CREATE INDEX devices_patient ON devices (patient_id);

-- Every payload we refused, byte for byte, with the coded reason we gave the sender.
CREATE TABLE rejected_messages (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at  timestamptz NOT NULL DEFAULT now(),
  source       text NOT NULL CHECK (source IN ('ble', 'mqtt', 'manual', 'fhir')),
  device_id    uuid,
  topic        text,
  reason_code  text NOT NULL,
  reason       text NOT NULL,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb,
  payload      bytea NOT NULL
);
CREATE INDEX rejected_messages_received ON rejected_messages (received_at DESC);
CREATE INDEX rejected_messages_device ON rejected_messages (device_id, received_at DESC);

-- Who read or changed patient data, when, from where. Append-only by convention and by grant in
-- production (see infra/).
CREATE TABLE audit_log (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor_type    text NOT NULL CHECK (actor_type IN ('user', 'device', 'system')),
  actor_id      text NOT NULL,
  action        text NOT NULL,
  subject_type  text NOT NULL,
  subject_id    text,
  patient_id    uuid,
  ip            text,
  details       jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_patient ON audit_log (patient_id, at DESC) WHERE patient_id IS NOT NULL;
