-- Escalation reaches someone (issue 15 item 8). A ward names its escalation contacts, each on a
-- channel: a signed webhook (URL and HMAC secret) or the live stream. When an alert is escalated
-- (by the timer or by a person) one delivery per active contact of its ward is queued in the same
-- transaction as the escalation, and a deliverer sends it, retrying with backoff; every attempt is
-- recorded, so a restart resumes what is pending and the alert shows who was told.

CREATE TABLE escalation_contacts (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  ward_id     uuid NOT NULL REFERENCES wards (id),
  name        text NOT NULL CHECK (length(trim(name)) > 0),
  role        text NOT NULL CHECK (length(trim(role)) > 0),
  channel     text NOT NULL CHECK (channel IN ('webhook', 'stream')),
  url         text,
  -- The HMAC key must be usable to sign, so it is kept as given (not hashed); the API never
  -- returns it and nothing logs it.
  secret      text,
  created_at  timestamptz NOT NULL,
  created_by  text NOT NULL,
  -- Removed contacts are kept (not deleted) so the deliveries made to them still name them.
  removed_at  timestamptz,
  removed_by  text,
  CHECK ((channel = 'webhook') = (url IS NOT NULL AND secret IS NOT NULL)),
  CHECK ((removed_at IS NULL) = (removed_by IS NULL))
);
CREATE INDEX escalation_contacts_ward ON escalation_contacts (ward_id) WHERE removed_at IS NULL;

CREATE TABLE escalation_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  alert_id         uuid NOT NULL REFERENCES alerts (id),
  -- The escalation (an alert can be escalated again after someone took it on and let it go).
  event_id         bigint NOT NULL REFERENCES alert_events (id),
  contact_id       uuid NOT NULL REFERENCES escalation_contacts (id),
  channel          text NOT NULL CHECK (channel IN ('webhook', 'stream')),
  -- What is sent, fixed when queued so every retry carries the same body.
  payload          jsonb NOT NULL,
  payload_hash     text,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_attempt_at  timestamptz,
  last_status_code integer,
  last_error       text,
  -- Due time while pending; a deliverer that claims the row pushes it out by a lease, so a
  -- deliverer that dies mid-send leaves it to be picked up again.
  next_attempt_at  timestamptz,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL,
  UNIQUE (event_id, contact_id),
  CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL)),
  CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);
CREATE INDEX escalation_deliveries_due ON escalation_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX escalation_deliveries_alert ON escalation_deliveries (alert_id, created_at);

-- Every attempt, as it went. Append-only.
CREATE TABLE escalation_delivery_attempts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id  uuid NOT NULL REFERENCES escalation_deliveries (id),
  attempt      integer NOT NULL CHECK (attempt >= 1),
  at           timestamptz NOT NULL,
  status_code  integer,
  error        text,
  duration_ms  integer NOT NULL CHECK (duration_ms >= 0),
  outcome      text NOT NULL CHECK (outcome IN ('delivered', 'retry', 'failed')),
  UNIQUE (delivery_id, attempt)
);
