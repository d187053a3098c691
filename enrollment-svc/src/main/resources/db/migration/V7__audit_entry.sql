-- The audit log every service keeps (io.sentinel.common.audit): who read or changed personal data,
-- for which agency, with which roles, why (purpose, reference, the grant a partner cited), which
-- subjects, and the outcome. Rows are appended by plain inserts; AuditChainer then seals each
-- agency's rows into a keyed chain (seq, prev_mac, mac; the key is outside the database).
create table audit_entry (
    id           bigint generated always as identity primary key,
    occurred_at  timestamptz not null,
    agency_id    text        not null,
    actor        text        not null,
    roles        text        not null,
    purpose      text        not null,
    reference    text        not null,
    grant_id     text        not null,
    action       text        not null,
    subject_ids  text[]      not null,
    outcome      text        not null check (outcome in ('allowed', 'refused')),
    detail       text        not null,
    seq          bigint,
    prev_mac     text,
    mac          text,
    unique (agency_id, seq)
);
create index audit_entry_unsealed on audit_entry (id) where seq is null;
create index audit_entry_subjects on audit_entry using gin (subject_ids);
create index audit_entry_agency on audit_entry (agency_id, id);

-- Append-only: the one change allowed is sealing an unsealed row, content untouched.
create function audit_entry_guard() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' and old.seq is null and new.seq is not null and new.mac is not null and new.prev_mac is not null
       and (new.id, new.occurred_at, new.agency_id, new.actor, new.roles, new.purpose, new.reference, new.grant_id,
            new.action, new.subject_ids, new.outcome, new.detail)
           is not distinct from
           (old.id, old.occurred_at, old.agency_id, old.actor, old.roles, old.purpose, old.reference, old.grant_id,
            old.action, old.subject_ids, old.outcome, old.detail) then
        return new;
    end if;
    raise exception 'audit_entry is append-only: record % (seq %) cannot be %', old.id, coalesce(old.seq::text, 'unsealed'),
        lower(tg_op) using errcode = 'insufficient_privilege';
end $$;
create trigger audit_entry_append_only before update or delete on audit_entry
    for each row execute function audit_entry_guard();
create function audit_entry_no_truncate() returns trigger language plpgsql as $$
begin
    raise exception 'audit_entry is append-only: it cannot be truncated' using errcode = 'insufficient_privilege';
end $$;
create trigger audit_entry_no_truncate before truncate on audit_entry
    for each statement execute function audit_entry_no_truncate();

-- The service runs as "${app_role}": it owns the business tables (it creates partitions and
-- purges), but of the audit log it may only read, insert and seal. The log, its triggers and their
-- functions stay with the migration role, so the service cannot alter, disable or drop them.
-- Default privileges set by an earlier run (they survive a Flyway clean) must not reach the log.
revoke all on audit_entry from public;
revoke all on audit_entry from "${app_role}";
revoke all on sequence audit_entry_id_seq from public;
revoke all on sequence audit_entry_id_seq from "${app_role}";
grant select, insert on audit_entry to "${app_role}";
grant update (seq, prev_mac, mac) on audit_entry to "${app_role}";
grant usage on sequence audit_entry_id_seq to "${app_role}";
do $$
declare
    t record;
begin
    for t in
        select c.relname, c.relkind
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relkind in ('r', 'p', 'v', 'm', 'S')
          and c.relname not in ('audit_entry', 'audit_entry_id_seq', 'flyway_schema_history', 'audit_log')
          and not (c.relkind = 'S' and exists (select 1 from pg_depend d
                   where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i')))
    loop
        execute format('alter %s %I owner to %I',
            case t.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view' else 'table' end,
            t.relname, '${app_role}');
    end loop;
end $$;
-- Tables later migrations create are the service's to use.
alter default privileges in schema public grant select, insert, update, delete on tables to "${app_role}";
alter default privileges in schema public grant usage, select, update on sequences to "${app_role}";

-- The earlier hash-chained table is kept, read-only, with its records copied into the new log.
insert into audit_entry (occurred_at, agency_id, actor, roles, purpose, reference, grant_id, action, subject_ids, outcome, detail)
select occurred_at, agency_id, actor, roles, purpose, '', '', action,
       case when subject_id = '' then '{}'::text[] else array[subject_id] end,
       case when outcome = 'allowed' then 'allowed' else 'refused' end, 'copied from audit_log seq ' || seq
from audit_log order by seq;
revoke all on audit_log from public;
revoke all on audit_log from "${app_role}";
grant select on audit_log to "${app_role}";
