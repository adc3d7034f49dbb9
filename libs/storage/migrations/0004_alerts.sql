-- Alerts and their history (issue 5). One row per episode: a patient, a rule and the rule's
-- subject ("news2", "spo2:at-or-below", "overdue:body_weight"). A repeat of the same episode
-- updates the row (occurrences, latest value, evidence) instead of raising a second alert; the
-- partial unique index below makes that a property of the schema, not only of the engine.

CREATE TABLE alerts (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id          uuid NOT NULL REFERENCES patients (id),
  ward_id             uuid NOT NULL REFERENCES wards (id),
  rule                text NOT NULL CHECK (length(rule) > 0),
  subject             text NOT NULL CHECK (length(subject) > 0),
  severity            text NOT NULL CHECK (severity IN ('low', 'low-medium', 'medium', 'high')),
  -- For the worklist's ORDER BY: NEWS2's bands in order (RCP 2017 chart 3).
  severity_rank       smallint GENERATED ALWAYS AS (
                        CASE severity WHEN 'low' THEN 0 WHEN 'low-medium' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END
                      ) STORED,
  state               text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'escalated', 'resolved')),
  owner_id            uuid REFERENCES users (id),
  explanation         text NOT NULL,
  details             jsonb NOT NULL DEFAULT '{}'::jsonb,
  latest_value        double precision,
  first_measured_at   timestamptz NOT NULL,
  latest_measured_at  timestamptz NOT NULL,
  occurrences         integer NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
  -- readings.id of the evidence over the whole episode. No foreign key: readings is a
  -- hypertable without a primary key (0002_readings.sql).
  reading_ids         bigint[] NOT NULL DEFAULT '{}',
  opened_at           timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  acknowledged_at     timestamptz,
  escalated_at        timestamptz,
  resolved_at         timestamptz,
  outcome             text CHECK (outcome IN ('contacted-patient', 'visit-arranged', 'escalated-to-gp', 'escalated-to-999',
                                              'escalated-to-ward', 'false-alarm', 'device-problem', 'reading-received')),
  -- Set while the alert is open and its severity has an escalation timer; cleared on acknowledge.
  escalation_due_at   timestamptz,
  next_reminder_at    timestamptz,
  reminders           integer NOT NULL DEFAULT 0,
  CHECK ((state = 'resolved') = (resolved_at IS NOT NULL)),
  CHECK ((state = 'resolved') = (outcome IS NOT NULL)),
  CHECK (latest_measured_at >= first_measured_at)
);

-- At most one unresolved alert per patient, rule and subject: the episode key.
CREATE UNIQUE INDEX alerts_one_unresolved ON alerts (patient_id, rule, subject) WHERE state <> 'resolved';
-- The nurse worklist: unresolved alerts of some wards, most severe first, then longest waiting.
CREATE INDEX alerts_worklist ON alerts (ward_id, severity_rank DESC, opened_at) WHERE state <> 'resolved';
CREATE INDEX alerts_patient ON alerts (patient_id, opened_at DESC);
CREATE INDEX alerts_escalation_due ON alerts (escalation_due_at) WHERE state = 'open' AND escalation_due_at IS NOT NULL;
CREATE INDEX alerts_reminder_due ON alerts (next_reminder_at) WHERE state <> 'resolved' AND next_reminder_at IS NOT NULL;
-- The last resolution of an episode key, so an episode a person closed is not reopened by
-- evidence they had already seen.
CREATE INDEX alerts_resolved_key ON alerts (patient_id, rule, subject, resolved_at DESC) WHERE state = 'resolved';

-- Every change to an alert: who (a user or a system component), when, from which state to which,
-- and why. Append-only: nothing updates or deletes these rows.
CREATE TABLE alert_events (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id    uuid NOT NULL REFERENCES alerts (id),
  at          timestamptz NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('raised', 'repeated', 'acknowledged', 'escalated', 'resolved', 'assigned', 'noted', 'reminded')),
  actor_type  text NOT NULL CHECK (actor_type IN ('user', 'system')),
  actor_id    text NOT NULL CHECK (length(actor_id) > 0),
  from_state  text CHECK (from_state IN ('open', 'acknowledged', 'escalated', 'resolved')),
  to_state    text NOT NULL CHECK (to_state IN ('open', 'acknowledged', 'escalated', 'resolved')),
  note        text,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, id);

-- "Do not alert on this rule for this patient until …", with the reason and who decided.
-- subject NULL covers every subject of the rule.
CREATE TABLE alert_suppressions (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  patient_id  uuid NOT NULL REFERENCES patients (id),
  rule        text NOT NULL,
  subject     text,
  reason      text NOT NULL CHECK (length(trim(reason)) > 0),
  starts_at   timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  lifted_at   timestamptz,
  lifted_by   text,
  CHECK (expires_at > starts_at)
);
CREATE INDEX alert_suppressions_active ON alert_suppressions (patient_id, rule, expires_at) WHERE lifted_at IS NULL;

-- Where each consumer of the readings stream (the rules engine) has got to: the position of
-- ReadingRepository.afterCursor. Advanced in the same transaction as the alerts it produced, so a
-- restart neither loses nor repeats work.
CREATE TABLE reading_consumers (
  consumer    text PRIMARY KEY CHECK (length(consumer) > 0),
  txid        xid8 NOT NULL DEFAULT '0',
  reading_id  bigint NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
