-- When the rules engine's timer pass ran (issue 21: a backtest runs the silence and technical rules
-- at exactly the moments the live timer did, instead of inferring them). One row per pass, written
-- by the engine (the holder of partition 0 when partitioned) with the `now` the pass judged: its
-- injected clock's, not the database's. A tick is only a moment; what the pass decided is in
-- alerts and alert_events.
-- Retention: the statement that records a tick also deletes ticks older than 400 days
-- (TIMER_TICK_RETENTION_DAYS; a backtest of an older period infers the timer's moments). At the
-- default 30 s interval that is about 1.2 million rows; the primary key makes the delete a short
-- index range scan that usually finds nothing.
CREATE TABLE rules_timer_ticks (
  at     timestamptz PRIMARY KEY,
  worker text NOT NULL
);
