-- Who read or changed alerts through the public APIs, allowed or not. Append-only.
create table audit_log (
    seq          bigserial primary key,
    occurred_at  timestamptz not null,
    actor        text        not null,
    agency_id    text        not null,
    roles        text        not null,
    action       text        not null,
    subject_id   text,
    alert_id     text,
    outcome      text        not null
);
create index audit_log_subject on audit_log (subject_id, seq);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only';
end;
$$;
create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_append_only();
