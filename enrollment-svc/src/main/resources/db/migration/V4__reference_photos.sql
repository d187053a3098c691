-- Identifiers of the subject's reference photos; the photos themselves are held by biometric-svc.
alter table subject add column reference_photo_ids text not null default ''; -- comma-separated UUIDs
