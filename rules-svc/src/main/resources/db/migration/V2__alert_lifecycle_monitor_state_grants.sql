-- Alert lifecycle: the breach closes itself (closed_at, duration); a person acknowledges and
-- resolves it with an outcome; an unacknowledged alert escalates.
alter table alert
    add column breach_started_at timestamptz,
    add column closed_at         timestamptz,
    add column duration_seconds  bigint,
    add column severity          text not null default 'ALERT_SEVERITY_HIGH',
    add column detail            text,
    add column acknowledged_at   timestamptz,
    add column acknowledged_by   text,
    add column resolved_at       timestamptz,
    add column resolved_by       text,
    add column outcome           text,
    add column resolution_note   text,
    add column escalated_at      timestamptz;

-- One live alert per subject and condition: while the breach lasts (not closed) and nobody has
-- resolved it. A resolved alert whose breach still lasts does not block, nor does a closed one.
drop index alert_one_open;
create unique index alert_one_live on alert (subject_id, condition_id)
    where closed_at is null and state <> 'ALERT_STATE_RESOLVED';
create index alert_escalation_due on alert (opened_at) where state = 'ALERT_STATE_OPEN' and escalated_at is null;

-- Every change of an alert is a feed event; type says which.
alter table alert_event add column type text not null default 'ALERT_EVENT_TYPE_OPENED';
alter table alert_event alter column type drop default;
create index alert_event_alert on alert_event (alert_id);

-- Dwell and hysteresis evidence of each subject's conditions (SubjectMonitor.states()), so an open
-- breach stays open and a dwell in progress keeps its evidence across restarts and replicas.
create table monitor_state (
    subject_id     uuid primary key,
    state          text        not null, -- JSON: condition id -> ConditionState
    next_deadline  timestamptz,          -- earliest curfew end that closes a breach without a fix
    updated_at     timestamptz not null
);
create index monitor_state_deadline on monitor_state (next_deadline) where next_deadline is not null;

-- Events from other services already turned into alerts (or deliberately not): redelivery is a no-op.
create table processed_event (
    event_id    uuid primary key,
    source      text        not null,
    subject_id  uuid        not null,
    alert_id    uuid,
    at          timestamptz not null
);
create index processed_event_subject on processed_event (subject_id);

-- Sharing grants as enrollment-svc last sent them.
create table sharing_grants (
    subject_id        uuid primary key,
    owning_agency_id  text        not null,
    version           bigint      not null,
    updated_at        timestamptz not null
);
create table sharing_grant (
    grant_id     uuid primary key,
    subject_id   uuid        not null references sharing_grants (subject_id) on delete cascade,
    agency_id    text        not null,
    categories   text        not null, -- space-separated DataCategory names, with a leading and trailing space
    purpose      text        not null,
    valid_until  timestamptz not null
);
create index sharing_grant_lookup on sharing_grant (subject_id, agency_id);

-- Purge runs already applied, with the counts reported.
create table purge_run (
    purge_id    uuid primary key,
    subject_id  uuid        not null,
    counts      text        not null, -- JSON object category -> count
    at          timestamptz not null
);
