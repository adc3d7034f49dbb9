-- Two clinicians editing one care plan at once (issue 19): each save names the version it was
-- based on, and a save based on an older version is refused instead of silently overwriting the
-- other's decision (optimistic concurrency). Every write of care_plan moves the version on.
ALTER TABLE admissions ADD COLUMN care_plan_version integer NOT NULL DEFAULT 1 CHECK (care_plan_version >= 1);
