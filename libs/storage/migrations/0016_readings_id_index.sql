-- Readings by their id (issue 20): a FHIR Observation's id is its reading's id, and reads,
-- conditional creates and a transaction's answers look readings up by it. The table has no
-- primary key (0002: a hypertable's unique indexes must include measured_at), so without this
-- index each lookup scanned every reading. Not unique, for the same reason; ids are unique anyway.
CREATE INDEX readings_id ON readings (id);
