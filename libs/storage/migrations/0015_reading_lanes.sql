-- Fresh before backlog (issue 18): consumers of the readings stream read it in two lanes, each
-- with its own cursor, so a live reading is never evaluated behind a backfill of old ones. A
-- reading is late when it was received more than an hour after it was measured (a hub's upload
-- after an outage, a replay, an import of history); every other reading is fresh.
--
-- A partial index per lane keeps each lane's page query an index range scan however many rows
-- the other lane holds. ReadingRepository spells the same predicates word for word (LANE_SQL):
-- the planner uses a partial index only for a query whose WHERE implies its predicate.
CREATE INDEX readings_fresh_txid ON readings (txid, id) WHERE received_at - measured_at <= INTERVAL '1 hour';
CREATE INDEX readings_late_txid ON readings (txid, id) WHERE received_at - measured_at > INTERVAL '1 hour';
