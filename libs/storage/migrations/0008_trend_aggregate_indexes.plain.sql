-- Plain PostgreSQL mode has no continuous aggregates: trends read the readings table through its
-- (patient_id, vital, measured_at) index (0002). Nothing to add; the version is kept in step with
-- the TimescaleDB variant.
SELECT 1;
