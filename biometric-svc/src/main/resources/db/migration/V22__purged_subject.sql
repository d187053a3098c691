-- Tombstones of purged subjects: once enrollment-svc's retention purge removed a subject entirely
-- (PurgeSubject with no categories and no older_than), a late or redelivered message about it is
-- refused (FAILED_PRECONDITION, reason SUBJECT_PURGED) instead of bringing it back. Ids only, no
-- personal data. The service may read and add tombstones, never change or remove one.
create table purged_subject (
    subject_id  uuid        primary key,
    purge_id    uuid        not null,
    purged_at   timestamptz not null
);
revoke update, delete, truncate on purged_subject from "${app_role}";
