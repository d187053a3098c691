-- Check-in events for rules-svc (reviewer-confirmed NO_MATCH, missed prompt), written in the
-- transaction that decides them and delivered in id order until rules-svc acknowledges.
create table check_in_event_outbox (
    id               bigint generated always as identity primary key,
    event_id         uuid        not null unique,  -- idempotency key at rules-svc
    subject_id       uuid        not null,
    kind             text        not null,         -- sentinel.rules.v1.CheckInEventKind name
    check_in_id      uuid        not null,         -- the check-in (FAILED_CONFIRMED) or prompt (MISSED)
    reviewed_by      text,
    occurred_at      timestamptz not null,
    created_at       timestamptz not null default now(),
    attempts         integer     not null default 0,
    next_attempt_at  timestamptz not null default now(),
    delivered_at     timestamptz,
    last_error       text
);
create index check_in_event_outbox_due on check_in_event_outbox (id) where delivered_at is null;
