create table agency (
    agency_id    text primary key,
    name         text        not null,
    kind         text        not null,
    data_region  text        not null,
    created_at   timestamptz not null
);

-- Free-text notes are deliberately not stored.
create table subject (
    subject_id          uuid primary key,
    owning_agency_id    text        not null,
    given_names         text        not null,
    family_name         text        not null,
    date_of_birth       date        not null,
    nationality         char(3)     not null,
    preferred_language  text        not null,
    version             bigint      not null,
    created_at          timestamptz not null
);
create index subject_agency on subject (owning_agency_id, subject_id);

create table monitoring_order (
    order_id          uuid primary key,
    subject_id        uuid        not null references subject (subject_id),
    owning_agency_id  text        not null,
    legal_authority   text        not null,
    starts_at         timestamptz not null,
    ends_at           timestamptz not null,
    review_due_at     timestamptz not null,
    device_type       text        not null,
    state             text        not null,
    conditions        bytea       not null, -- sentinel.enrollment.v1.Conditions
    version           bigint      not null,
    created_at        timestamptz not null,
    check (ends_at > starts_at)
);
create index order_subject on monitoring_order (subject_id, order_id);

create table device (
    device_id            uuid primary key,
    serial               text        not null,
    type                 text        not null,
    owning_agency_id     text        not null,
    assigned_subject_id  uuid references subject (subject_id),
    assigned_at          timestamptz,
    assignment_version   bigint      not null default 0,
    created_at           timestamptz not null,
    unique (owning_agency_id, serial)
);
-- One active device per subject.
create unique index device_one_per_subject on device (assigned_subject_id) where assigned_subject_id is not null;

create table device_assignment_history (
    device_id     uuid        not null references device (device_id),
    subject_id    uuid        not null references subject (subject_id),
    assigned_at   timestamptz not null,
    released_at   timestamptz,
    primary key (device_id, assigned_at)
);

-- A retried create returns the first result.
create table idempotency_key (
    agency_id     text        not null,
    operation     text        not null,
    key           text        not null,
    resource_id   text        not null,
    created_at    timestamptz not null,
    primary key (agency_id, operation, key)
);

-- Changes for peers, written in the same transaction as the change and delivered until acknowledged.
create table outbox (
    id               bigserial primary key,
    target           text        not null,
    kind             text        not null,
    payload          bytea       not null,
    created_at       timestamptz not null,
    attempts         integer     not null default 0,
    next_attempt_at  timestamptz not null,
    delivered_at     timestamptz,
    last_error       text
);
create index outbox_pending on outbox (target, id) where delivered_at is null;
create sequence change_version;
