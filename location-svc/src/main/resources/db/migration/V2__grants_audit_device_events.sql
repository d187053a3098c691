-- How often each order expects its device to report (NO_SIGNAL after longer silence).
alter table device_assignment add column expected_interval_seconds bigint not null default 900;

-- Who owns each subject and which other agencies may see what, as enrollment-svc last sent it.
create table subject_sharing (
    subject_id        uuid primary key,
    owning_agency_id  text        not null,
    version           bigint      not null,
    updated_at        timestamptz not null
);

create table sharing_grant (
    subject_id   uuid        not null references subject_sharing (subject_id) on delete cascade,
    grant_id     uuid        not null,
    agency_id    text        not null,
    categories   text[]      not null,
    purpose      text        not null,
    valid_until  timestamptz not null,
    primary key (subject_id, grant_id)
);

-- Every read of personal data through a public API, allowed or denied. Append-only: the
-- trigger below refuses updates and deletes, so not even a purge can rewrite who looked.
create table audit_record (
    audit_id    bigserial   primary key,
    at          timestamptz not null default now(),
    actor       text        not null,
    agency_id   text        not null,
    roles       text        not null,
    action      text        not null,
    subject_id  uuid,
    purpose     text,
    reference   text,
    outcome     text        not null check (outcome in ('ALLOWED', 'DENIED')),
    detail      text        not null
);
create index audit_record_subject on audit_record (subject_id, at);

create function audit_record_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_record is append-only';
end $$;
create trigger audit_record_no_change before update or delete on audit_record
    for each row execute function audit_record_append_only();

-- Retention purges already applied, so a repeated purge_id answers with the first counts.
create table purge_run (
    purge_id    uuid        primary key,
    subject_id  uuid        not null,
    counts      jsonb       not null,
    applied_at  timestamptz not null
);

-- What device health knows between reports (see DeviceState).
create table device_state (
    device_id          uuid primary key,
    last_device_time   timestamptz,
    last_received_at   timestamptz,
    battery_low        boolean not null,
    charging           boolean,
    strap_tampered     boolean,
    no_signal_raised   boolean not null
);

-- Outbox of device-health events for rules-svc, written in the transaction that stored the
-- fixes that showed them; delivered in seq order with retries until rules-svc answers.
create table device_event (
    seq            bigserial   primary key,
    event_id       uuid        not null unique,
    subject_id     uuid        not null,
    device_id      uuid        not null,
    kind           text        not null,
    occurred_at    timestamptz not null,
    detail         text        not null,
    created_at     timestamptz not null default now(),
    delivered_at   timestamptz,
    attempts       integer     not null default 0
);
create index device_event_pending on device_event (seq) where delivered_at is null;
