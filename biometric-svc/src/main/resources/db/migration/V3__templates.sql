-- The face template of each reference, encrypted (AES-256-GCM: 12-byte nonce || ciphertext+tag),
-- bound to its subject and model id; a template of another model requires re-enrolment.
alter table reference_image add column template bytea;
