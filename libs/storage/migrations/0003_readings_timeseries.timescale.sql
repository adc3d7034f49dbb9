-- TimescaleDB mode: readings become a hypertable on measurement time, with hourly and daily
-- continuous aggregates, compression of old chunks and (configured at start) retention.
SELECT create_hypertable('readings', 'measured_at', chunk_time_interval => INTERVAL '7 days', migrate_data => true);

-- Aggregates keep sum and count rather than a mean, so coarser buckets (a week from days) can be
-- built from them exactly.
CREATE MATERIALIZED VIEW readings_hourly
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT patient_id, vital, time_bucket(INTERVAL '1 hour', measured_at) AS bucket,
       min(value) AS min, max(value) AS max, sum(value) AS sum, count(*) AS n
FROM readings
GROUP BY patient_id, vital, bucket
WITH NO DATA;

CREATE MATERIALIZED VIEW readings_daily
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT patient_id, vital, time_bucket(INTERVAL '1 day', measured_at) AS bucket,
       min(value) AS min, max(value) AS max, sum(value) AS sum, count(*) AS n
FROM readings
GROUP BY patient_id, vital, bucket
WITH NO DATA;

-- Late readings (a device's backlog) land behind the refresh window and invalidate it; the
-- policies below re-materialise a generous window so trends catch up within the schedule.
SELECT add_continuous_aggregate_policy('readings_hourly',
  start_offset => INTERVAL '14 days', end_offset => INTERVAL '1 hour', schedule_interval => INTERVAL '15 minutes');
SELECT add_continuous_aggregate_policy('readings_daily',
  start_offset => INTERVAL '60 days', end_offset => INTERVAL '1 day', schedule_interval => INTERVAL '1 hour');

-- Compress chunks older than 30 days, segmented the way trends read them.
ALTER TABLE readings SET (
  timescaledb.compress,
  timescaledb.compress_segmentby = 'patient_id, vital',
  timescaledb.compress_orderby = 'measured_at DESC'
);
SELECT add_compression_policy('readings', INTERVAL '30 days');
