-- Plain PostgreSQL mode: no hypertable and no continuous aggregates; trends are rolled up on read
-- from the (patient_id, vital, measured_at) index. A BRIN index keeps time-range scans across
-- patients (exports, retention) cheap on an append-mostly table.
CREATE INDEX readings_measured_brin ON readings USING brin (measured_at);
