-- Who read or changed personal data. Each record carries the hash of its predecessor, so an
-- edit or deletion anywhere breaks the chain from that record on (VerifyAuditChain finds it).
create table audit_log (
    seq          bigint primary key,
    occurred_at  timestamptz not null,
    actor        text        not null,
    agency_id    text        not null,
    roles        text        not null,
    purpose      text        not null,
    action       text        not null,
    subject_id   text        not null,
    outcome      text        not null,
    prev_hash    text        not null,
    hash         text        not null
);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only';
end;
$$;
create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_append_only();

-- Another agency may see some categories of one subject's data, for a purpose, until a date.
create table sharing_grant (
    grant_id      uuid primary key,
    subject_id    uuid        not null references subject (subject_id),
    agency_id     text        not null,
    categories    text        not null, -- comma-separated DataCategory names
    purpose       text        not null,
    valid_until   timestamptz not null,
    granted_by    text        not null,
    created_at    timestamptz not null,
    revoked_at    timestamptz,
    revoked_by    text
);
create index sharing_grant_subject on sharing_grant (subject_id, agency_id) where revoked_at is null;

-- Overdue reviews already raised to rules-svc, so each due date is raised once.
create table review_overdue_raised (
    order_id       uuid        not null references monitoring_order (order_id),
    review_due_at  timestamptz not null,
    event_id       uuid        not null,
    raised_at      timestamptz not null,
    primary key (order_id, review_due_at)
);
create index order_review_due on monitoring_order (review_due_at) where state = 'ORDER_STATE_ACTIVE';
