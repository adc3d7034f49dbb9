-- Rules workers split patients between them (issue 9). A patient belongs to one of N partitions
-- (a stable hash of its id); each partition has its own cursor in reading_consumers
-- ("<consumer>:<k>/<N>") and is evaluated by the one worker holding its lease, so a patient's
-- readings are evaluated in order by one worker at a time. A worker renews its leases while it
-- lives; when it stops renewing (killed, partitioned away) they expire and the survivors take them
-- over, continuing from the partition's cursor.

-- The partition of a patient: the first 28 bits of md5(id), modulo N. Stable across PostgreSQL
-- versions and machines (unlike hashtext), so every worker and every release agrees.
CREATE FUNCTION homeward_patient_partition(patient uuid, partitions integer) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT (('x' || substr(md5(patient::text), 1, 7))::bit(28)::integer % partitions) $$;

-- Workers alive: each renews its row while it runs. The number of live workers sets every
-- worker's fair share of partitions, so a new worker gets some and a dead one's are shared out.
CREATE TABLE rules_workers (
  consumer    text NOT NULL CHECK (length(consumer) > 0),
  worker_id   text NOT NULL CHECK (length(worker_id) > 0),
  started_at  timestamptz NOT NULL DEFAULT now(),
  renewed_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (consumer, worker_id)
);

-- One row per partition of a consumer's partitioning (the number of partitions is part of the
-- key: changing it starts a new partitioning whose cursors start where the old ones were).
CREATE TABLE rules_partition_leases (
  consumer    text NOT NULL CHECK (length(consumer) > 0),
  partitions  integer NOT NULL CHECK (partitions BETWEEN 1 AND 1024),
  partition   integer NOT NULL CHECK (partition >= 0 AND partition < partitions),
  owner       text,
  expires_at  timestamptz,
  renewed_at  timestamptz,
  PRIMARY KEY (consumer, partitions, partition),
  CHECK ((owner IS NULL) = (expires_at IS NULL))
);
