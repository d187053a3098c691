-- Days whose prompts were already drawn, so a re-run of the planner never draws twice.
create table prompt_day (
    subject_id   uuid not null,
    local_date   date not null,
    planned_at   timestamptz not null,
    primary key (subject_id, local_date)
);

-- Check-in prompts: PENDING until a check-in answers them before the deadline (ANSWERED) or the
-- deadline passes (MISSED, which goes to rules-svc through check_in_event_outbox).
create table check_in_prompt (
    prompt_id        uuid primary key,
    subject_id       uuid        not null,
    owning_agency_id text        not null,
    local_date       date        not null,
    prompt_at        timestamptz not null,
    deadline_at      timestamptz not null,
    state            text        not null check (state in ('PENDING', 'ANSWERED', 'MISSED')),
    check_in_id      uuid
);
create index check_in_prompt_pending on check_in_prompt (deadline_at) where state = 'PENDING';
create index check_in_prompt_subject on check_in_prompt (subject_id, prompt_at);
