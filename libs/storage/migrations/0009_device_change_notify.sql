-- Every change to what a gateway caches about a device (its patient, type, credentials, serial,
-- Bluetooth address), and every device added or removed, is announced on `homeward_devices`
-- (payload: the device id), delivered at commit. Gateways LISTEN and drop that device from their
-- caches, so a device reassigned to another patient files its very next reading under the new
-- one, whichever gateway it reaches. last_seen_at and battery are left out on purpose: they change
-- with every status message and no cache depends on them.
CREATE FUNCTION homeward_device_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('homeward_devices', OLD.id::text);
  ELSE
    PERFORM pg_notify('homeward_devices', NEW.id::text);
    IF TG_OP = 'UPDATE' AND NEW.id IS DISTINCT FROM OLD.id THEN
      PERFORM pg_notify('homeward_devices', OLD.id::text);
    END IF;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER devices_added_or_removed AFTER INSERT OR DELETE ON devices
  FOR EACH ROW EXECUTE FUNCTION homeward_device_changed();

CREATE TRIGGER devices_changed AFTER UPDATE ON devices
  FOR EACH ROW
  WHEN (NEW.id IS DISTINCT FROM OLD.id
     OR NEW.patient_id IS DISTINCT FROM OLD.patient_id
     OR NEW.type IS DISTINCT FROM OLD.type
     OR NEW.credentials_hash IS DISTINCT FROM OLD.credentials_hash
     OR NEW.serial IS DISTINCT FROM OLD.serial
     OR NEW.ble_address IS DISTINCT FROM OLD.ble_address)
  EXECUTE FUNCTION homeward_device_changed();
