-- Retention periods an agency chose; categories without a row use the deployment default.
create table retention_policy (
    agency_id  text    not null,
    category   text    not null,
    days       integer not null check (days >= 0),
    primary key (agency_id, category)
);

-- One run of the retention purge. Counts only: no personal data.
create table purge_report (
    purge_id     uuid primary key,
    started_at   timestamptz not null,
    subjects     integer     not null
);
create table purge_count (
    purge_id  uuid   not null references purge_report (purge_id),
    source    text   not null,
    category  text   not null,
    count     bigint not null,
    primary key (purge_id, source, category)
);

-- Categories already purged for a subject whose identity is still held (deleted with the subject).
create table subject_category_purged (
    subject_id  uuid not null,
    category    text not null,
    purge_id    uuid not null,
    primary key (subject_id, category)
);

-- PurgeSubject messages name their run, so the report can say what each peer confirmed.
alter table outbox add column purge_id uuid;
create index outbox_purge on outbox (purge_id) where purge_id is not null;
