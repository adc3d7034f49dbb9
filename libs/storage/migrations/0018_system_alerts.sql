-- System alerts (issue 16): problems of Homeward itself that staff must see — the embedded
-- database restarted, the rules pipeline stalled, the broker not accepting devices, escalations not
-- delivered. Kept apart from `alerts`, whose rows belong to a patient and a ward (patient_id NOT
-- NULL) and carry clinical severity: none of that applies here, and the patient paths stay as
-- they are. One unresolved row per kind and source; every change is in system_alert_events.

CREATE TABLE system_alerts (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind             text NOT NULL CHECK (kind IN ('database-restarted', 'pipeline-stalled', 'broker-unavailable', 'escalation-delivery-failing')),
  -- Where: a gateway's host, an escalation channel, "embedded" for the database, "rules" for the pipeline.
  source           text NOT NULL CHECK (length(source) > 0),
  state            text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'resolved')),
  summary          text NOT NULL CHECK (length(summary) > 0),
  details          jsonb NOT NULL DEFAULT '{}'::jsonb,
  occurrences      integer NOT NULL DEFAULT 1 CHECK (occurrences >= 1),
  opened_at        timestamptz NOT NULL,
  last_seen_at     timestamptz NOT NULL,
  acknowledged_at  timestamptz,
  acknowledged_by  text,
  resolved_at      timestamptz,
  resolved_by      text,
  CHECK ((state = 'resolved') = (resolved_at IS NOT NULL))
);
CREATE UNIQUE INDEX system_alerts_one_unresolved ON system_alerts (kind, source) WHERE state <> 'resolved';
CREATE INDEX system_alerts_recent ON system_alerts (opened_at DESC);

-- Append-only: who (a user id, or a system component), when, from which state to which, and why.
CREATE TABLE system_alert_events (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  system_alert_id  uuid NOT NULL REFERENCES system_alerts (id),
  at               timestamptz NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('raised', 'repeated', 'reopened', 'acknowledged', 'resolved')),
  actor_type       text NOT NULL CHECK (actor_type IN ('user', 'system')),
  actor_id         text NOT NULL CHECK (length(actor_id) > 0),
  from_state       text CHECK (from_state IN ('open', 'acknowledged', 'resolved')),
  to_state         text NOT NULL CHECK (to_state IN ('open', 'acknowledged', 'resolved')),
  note             text
);
CREATE INDEX system_alert_events_alert ON system_alert_events (system_alert_id, id);

-- Every change is announced on `homeward_system_alerts` (payload: the id) at commit, so each api
-- instance's live stream carries it whichever process raised or changed it.
CREATE FUNCTION homeward_system_alert_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('homeward_system_alerts', NEW.id::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER system_alerts_changed AFTER INSERT OR UPDATE ON system_alerts
  FOR EACH ROW EXECUTE FUNCTION homeward_system_alert_changed();
