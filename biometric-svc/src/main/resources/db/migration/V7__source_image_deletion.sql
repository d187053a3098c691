-- Source images (reference and check-in photos) are deleted after sentinel.biometric.source-image-retention;
-- the row, its encrypted template and any review decision stay. When the image went is recorded.
alter table reference_image add column image_deleted_at timestamptz;
alter table check_in add column image_deleted_at timestamptz;
create index reference_image_with_image on reference_image (created_at) where image is not null;
create index check_in_with_image on check_in (received_at) where image is not null;
