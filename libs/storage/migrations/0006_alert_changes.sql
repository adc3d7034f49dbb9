-- Every change to an alert is announced on `homeward_alerts` (payload: the alert id), delivered
-- at commit, so the api's live stream follows alerts raised by any rules worker and changed by any
-- nurse, in whichever process they ran.
CREATE FUNCTION homeward_alert_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('homeward_alerts', NEW.id::text);
  RETURN NULL;
END
$$;

CREATE TRIGGER alerts_changed AFTER INSERT OR UPDATE ON alerts
  FOR EACH ROW EXECUTE FUNCTION homeward_alert_changed();
