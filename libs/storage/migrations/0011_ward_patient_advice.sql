-- What a ward's patients are told when their own reading is in the red band (issue 15 item 7).
-- NULL: the default advice in code (DEFAULT_PATIENT_ADVICE in libs/contracts). The API checks the
-- text first (length, no control characters); the CHECK keeps a direct write honest too.
ALTER TABLE wards ADD COLUMN patient_advice text
  CHECK (patient_advice IS NULL OR (length(btrim(patient_advice)) > 0 AND length(patient_advice) <= 500 AND patient_advice !~ '[[:cntrl:]]'));
