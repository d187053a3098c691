-- Conditions as enrollment-svc last sent them; the in-memory index is rebuilt from here at start.
create table subject_conditions (
    subject_id        uuid primary key,
    owning_agency_id  text        not null,
    order_id          uuid        not null,
    version           bigint      not null,
    active            boolean     not null,
    conditions        bytea       not null, -- sentinel.rules.v1.PutSubjectConditionsRequest
    updated_at        timestamptz not null
);

-- How far each fix source has been evaluated: redelivered fixes at or below it are skipped.
create table fix_progress (
    source       text primary key,
    last_fix_id  bigint      not null,
    updated_at   timestamptz not null
);

create table alert (
    alert_id          uuid primary key,
    subject_id        uuid        not null,
    owning_agency_id  text        not null,
    kind              text        not null,
    condition_id      text        not null,
    state             text        not null,
    opened_at         timestamptz not null,
    device_id         uuid,
    fix_time          timestamptz,
    latitude          double precision,
    longitude         double precision,
    accuracy_metres   double precision,
    fix_id            bigint,
    version           bigint      not null default 0
);
-- One open alert per subject and condition while the breach lasts.
create unique index alert_one_open on alert (subject_id, condition_id) where state <> 'ALERT_STATE_RESOLVED';
create index alert_subject on alert (subject_id, opened_at desc);

-- The feed agencies subscribe to: one row per alert change, in commit order.
create table alert_event (
    cursor            bigserial primary key,
    alert_id          uuid        not null references alert (alert_id),
    owning_agency_id  text        not null,
    state             text        not null,
    at                timestamptz not null
);
create index alert_event_agency on alert_event (owning_agency_id, cursor);
