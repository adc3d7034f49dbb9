-- FHIR R4 rest-hook Subscriptions (issue 20 item 8): an EPR asks to be pushed new Observations or
-- Flags of one patient, or of every patient on a ward. Deliveries follow the escalation
-- deliveries' pattern (0010): one row per resource per subscription, queued once, claimed with a
-- lease, retried with backoff; the subscription keeps its status and its last error.

CREATE TABLE fhir_subscriptions (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- As the EPR sent it, e.g. "Observation?patient=<id>" or "Flag?ward=<id>".
  criteria       text NOT NULL CHECK (length(criteria) > 0),
  resource_type  text NOT NULL CHECK (resource_type IN ('Observation', 'Flag')),
  -- The ward the subscription belongs to (ward isolation), and the one patient when it names one.
  ward_id        uuid NOT NULL REFERENCES wards (id),
  patient_id     uuid REFERENCES patients (id),
  endpoint       text NOT NULL,
  -- channel.header, each "Name: value", sent with every notification.
  headers        text[] NOT NULL DEFAULT '{}',
  -- channel.payload: a mime type (the whole resource is sent), or null (id only).
  payload        text,
  status         text NOT NULL CHECK (status IN ('requested', 'active', 'error', 'off')),
  reason         text,
  last_error     text,
  created_at     timestamptz NOT NULL,
  created_by     text NOT NULL,
  updated_at     timestamptz NOT NULL
);
CREATE INDEX fhir_subscriptions_live ON fhir_subscriptions (resource_type, ward_id) WHERE status <> 'off';

CREATE TABLE fhir_subscription_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subscription_id  uuid NOT NULL REFERENCES fhir_subscriptions (id),
  resource_type    text NOT NULL CHECK (resource_type IN ('Observation', 'Flag')),
  -- The resource's FHIR id (an Observation's, a BP panel's, an alert's).
  resource_id      text NOT NULL,
  patient_id       uuid NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_attempt_at  timestamptz,
  last_status_code integer,
  last_error       text,
  next_attempt_at  timestamptz,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL,
  UNIQUE (subscription_id, resource_type, resource_id),
  CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL)),
  CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);
CREATE INDEX fhir_subscription_deliveries_due ON fhir_subscription_deliveries (next_attempt_at) WHERE status = 'pending';
