-- Ward outcomes and alert-burden analytics (issue 21). A discharge records where the patient went,
-- so a commissioner's report can count discharges home, to hospital and deaths; NULL for the
-- discharges made before this column (the report shows them as "not recorded"). A transfer to
-- another virtual ward is its own outcome so it is never counted as a readmission or a discharge home.
ALTER TABLE admissions
  ADD COLUMN discharge_outcome text CHECK (discharge_outcome IN ('home', 'hospital-admission', 'death', 'transferred', 'other')),
  ADD CONSTRAINT admissions_discharge_outcome_when_discharged CHECK (discharge_outcome IS NULL OR discharged_at IS NOT NULL);

-- The analytics read a ward's alerts and admissions by period.
CREATE INDEX alerts_ward_opened ON alerts (ward_id, opened_at);
CREATE INDEX admissions_ward_period ON admissions (ward_id, admitted_at);
