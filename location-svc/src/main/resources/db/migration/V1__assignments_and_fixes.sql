-- Which subject each device reports for, as enrollment-svc last sent it.
create table device_assignment (
    device_id         uuid primary key,
    subject_id        uuid,
    owning_agency_id  text        not null,
    cadence           text        not null,
    version           bigint      not null,
    effective_at      timestamptz not null,
    updated_at        timestamptz not null
);

-- The trail. Partitioned by device time so retention drops whole partitions instead of
-- deleting row by row; fix_id orders fixes by commit for forwarding.
create table fix (
    fix_id            bigserial,
    device_id         uuid             not null,
    subject_id        uuid             not null,
    device_time       timestamptz      not null,
    received_at       timestamptz      not null,
    latitude          double precision not null,
    longitude         double precision not null,
    accuracy_metres   double precision not null,
    hdop              double precision,
    speed_mps         double precision,
    heading_degrees   double precision,
    battery_percent   integer,
    charging          boolean,
    strap_tampered    boolean,
    implausible       boolean          not null,
    low_accuracy      boolean          not null,
    primary key (fix_id, device_time),
    -- A fix is identified by device and device time: a resent batch stores no duplicate.
    unique (device_id, device_time)
) partition by range (device_time);

-- Catches anything outside the monthly partitions that PartitionMaintenance keeps ahead.
create table fix_default partition of fix default;

create index fix_subject_time on fix (subject_id, device_time);
create index fix_forward on fix (fix_id);

-- How far forwarding to each target has been acknowledged.
create table forward_cursor (
    target       text primary key,
    last_fix_id  bigint      not null,
    updated_at   timestamptz not null
);
