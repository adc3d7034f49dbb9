-- Sign-in attempt counters (issue 17, "Throttling that holds under concurrency"), shared by every
-- api and gateway instance on this database. The layout is rate-limiter-flexible's
-- RateLimiterPostgres table (key, points, expire in epoch milliseconds): the library upserts a
-- counter atomically (INSERT … ON CONFLICT … RETURNING), so a hundred parallel attempts are counted
-- one by one before any password is checked. Created here rather than by the library, so the
-- schema is reviewed and migrated like the rest.
CREATE TABLE sign_in_limits (
  key     varchar(255) PRIMARY KEY,
  points  integer NOT NULL DEFAULT 0,
  expire  bigint
);
