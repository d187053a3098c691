-- The check-in schedule each subject's order sets, as enrollment-svc last sent it.
create table check_in_schedule (
    subject_id        uuid primary key,
    owning_agency_id  text        not null,
    time_zone         text        not null,
    per_day           integer     not null check (per_day between 0 and 5),
    window_start      text        not null,
    window_end        text        not null,
    version           bigint      not null,
    active            boolean     not null,
    updated_at        timestamptz not null
);

create table reference_image (
    reference_id      uuid primary key,
    subject_id        uuid        not null references check_in_schedule (subject_id),
    content_type      text        not null,
    image             bytea,            -- source image; deleted after the configured period
    model_id          text,             -- face model whose template is stored, null when none
    created_at        timestamptz not null
);

create table check_in (
    check_in_id       uuid primary key,
    subject_id        uuid        not null references check_in_schedule (subject_id),
    owning_agency_id  text        not null,
    captured_at       timestamptz not null,
    received_at       timestamptz not null,
    content_type      text        not null,
    image             bytea,
    outcome           text        not null,
    outcome_reason    text        not null,
    similarity        double precision,
    review_state      text        not null,
    reviewed_by       text,
    reviewed_at       timestamptz,
    review_reason     text
);
create index check_in_review_queue on check_in (owning_agency_id, check_in_id) where review_state = 'REVIEW_STATE_PENDING';
create index check_in_subject on check_in (subject_id, captured_at);
