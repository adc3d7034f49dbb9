-- Readings by SMS, reminders by SMS, and carers as proxies (issue 22).

-- "sms" becomes a source like any other: a texted reading goes through the same ingest pipeline,
-- and an unreadable text (or one from an unknown number) is kept with the rejected messages.
ALTER TABLE readings DROP CONSTRAINT readings_source_check;
ALTER TABLE readings ADD CONSTRAINT readings_source_check CHECK (source IN ('ble', 'mqtt', 'manual', 'fhir', 'sms'));
ALTER TABLE rejected_messages DROP CONSTRAINT rejected_messages_source_check;
ALTER TABLE rejected_messages ADD CONSTRAINT rejected_messages_source_check CHECK (source IN ('ble', 'mqtt', 'manual', 'fhir', 'sms'));

-- A carer signs in as a user of their own role; what they may see is decided by their links.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('patient', 'nurse', 'clinician', 'admin', 'carer'));

-- A carer's proxy actions are audited as the carer's own ("carer X for patient Y"), also when the
-- carer texts in and has no sign-in.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_type_check CHECK (actor_type IN ('user', 'device', 'system', 'carer'));

CREATE TABLE carers (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  display_name  text NOT NULL CHECK (length(btrim(display_name)) > 0 AND length(display_name) <= 200),
  user_id       uuid UNIQUE REFERENCES users (id),
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- A carer acts for a patient only on a recorded basis: the patient's consent, or a clinician's
-- best-interest decision (Mental Capacity Act 2005, s.4), each with its date and reason. The link
-- ends when revoked or at discharge; ended links are kept for the audit trail.
CREATE TABLE carer_links (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  carer_id      uuid NOT NULL REFERENCES carers (id),
  patient_id    uuid NOT NULL REFERENCES patients (id),
  basis         text NOT NULL CHECK (basis IN ('consent', 'best-interest')),
  decided_on    date NOT NULL,
  reason        text NOT NULL CHECK (length(btrim(reason)) > 0 AND length(reason) <= 1000),
  decided_by    uuid REFERENCES users (id),
  started_at    timestamptz NOT NULL DEFAULT now(),
  ended_at      timestamptz,
  end_reason    text CHECK (end_reason IN ('revoked', 'discharged')),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
  CHECK (basis = 'consent' OR decided_by IS NOT NULL)
);
CREATE UNIQUE INDEX carer_links_one_active ON carer_links (carer_id, patient_id) WHERE ended_at IS NULL;
CREATE INDEX carer_links_patient ON carer_links (patient_id) WHERE ended_at IS NULL;

-- A phone number (E.164) belongs to one patient or one carer. Only a verified number identifies
-- an SMS sender; reminders go to the patient's own verified number.
CREATE TABLE phone_numbers (
  number        text PRIMARY KEY CHECK (number ~ '^\+[1-9][0-9]{6,14}$'),
  patient_id    uuid REFERENCES patients (id),
  carer_id      uuid REFERENCES carers (id),
  verified_at   timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((patient_id IS NULL) <> (carer_id IS NULL))
);
CREATE INDEX phone_numbers_patient ON phone_numbers (patient_id) WHERE patient_id IS NOT NULL;
CREATE INDEX phone_numbers_carer ON phone_numbers (carer_id) WHERE carer_id IS NOT NULL;

-- Every text in and out, with the operator's message id and the delivery receipt's state.
-- reminder_key makes a reminder go out once per overdue episode (patient, vital, due time).
CREATE TABLE sms_messages (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  direction         text NOT NULL CHECK (direction IN ('in', 'out')),
  kind              text NOT NULL CHECK (kind IN ('reading', 'reply', 'reminder')),
  number            text NOT NULL,
  patient_id        uuid REFERENCES patients (id),
  carer_id          uuid REFERENCES carers (id),
  body              text NOT NULL,
  smsc_message_id   text,
  status            text NOT NULL CHECK (status IN ('received', 'queued', 'submitted', 'failed', 'delivered', 'undeliverable', 'expired', 'rejected', 'unknown')),
  status_detail     text,
  reminder_key      text UNIQUE,
  created_at        timestamptz NOT NULL DEFAULT now(),
  submitted_at      timestamptz,
  receipt_at        timestamptz
);
CREATE INDEX sms_messages_smsc_id ON sms_messages (smsc_message_id) WHERE smsc_message_id IS NOT NULL;
CREATE INDEX sms_messages_patient ON sms_messages (patient_id, created_at DESC);

-- A discharge ends the patient's carer links in the same transaction, whichever code discharges.
CREATE FUNCTION homeward_end_carer_links_at_discharge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE carer_links SET ended_at = NEW.discharged_at, end_reason = 'discharged'
  WHERE patient_id = NEW.patient_id AND ended_at IS NULL;
  RETURN NEW;
END $$;
CREATE TRIGGER admissions_end_carer_links AFTER UPDATE OF discharged_at ON admissions
  FOR EACH ROW WHEN (OLD.discharged_at IS NULL AND NEW.discharged_at IS NOT NULL)
  EXECUTE FUNCTION homeward_end_carer_links_at_discharge();
