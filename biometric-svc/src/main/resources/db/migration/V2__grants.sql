-- Sharing grants in force per subject, as enrollment-svc last sent them.
create table subject_grants (
    subject_id        uuid primary key,
    owning_agency_id  text        not null,
    version           bigint      not null,
    grants            bytea       not null, -- sentinel.biometric.v1.PutSharingGrantsRequest
    updated_at        timestamptz not null
);

-- Purge runs already applied, so a retried purge is a no-op that reports the same counts.
create table purge_run (
    purge_id    uuid primary key,
    subject_id  uuid        not null,
    counts      text        not null,
    done_at     timestamptz not null
);
