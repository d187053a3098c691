-- Tombstones of purged subjects: once the retention purge removed a subject's identity, its id is
-- refused for anything new (an order, a device assignment, a grant) with FAILED_PRECONDITION, and the
-- peers keep tombstones of their own. Ids only, no personal data; the owning agency, so another
-- agency learns nothing (it is told NOT_FOUND, as for any id it does not own). The service may read
-- and add tombstones, never change or remove one.
create table purged_subject (
    subject_id        uuid        primary key,
    owning_agency_id  text        not null,
    purge_id          uuid        not null,
    purged_at         timestamptz not null
);
revoke update, delete, truncate on purged_subject from "${app_role}";
