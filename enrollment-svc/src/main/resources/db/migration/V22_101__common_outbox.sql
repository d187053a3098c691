-- enrollment-svc moves to the common outbox (outbox_message, created by db/outbox V22_100).
-- Every message not yet delivered moves over, parked ones with their reason, so no pending delivery
-- is lost on upgrade. Their subject is not known to SQL (it is inside the payload), so they keep the
-- old per-peer order under one ordering key, 'migrated'; a purge still finds them by the id in their
-- payload. Delivered messages are not moved: they held copies of zones, curfews and grants with no
-- end, which is what the common outbox's pruning ends.
insert into outbox_message (target, kind, ordering_key, correlation_id, payload, state, created_at, attempts, next_attempt_at,
                            parked_at, last_error)
select target, kind, 'migrated', purge_id, payload,
       case when next_attempt_at = 'infinity' then 'PARKED' else 'PENDING' end,
       created_at, attempts,
       case when next_attempt_at = 'infinity' then now() else next_attempt_at end,
       case when next_attempt_at = 'infinity' then now() end,
       last_error
from outbox where delivered_at is null order by id;

-- A purge run's peer confirmations, one per (run, peer, subject): delivered twice, still one.
create table purge_confirmation (
    purge_id      uuid        not null references purge_report (purge_id),
    source        text        not null,
    subject_id    text        not null,
    confirmed_at  timestamptz not null,
    primary key (purge_id, source, subject_id)
);
-- Confirmations of earlier runs, one per delivered request (their subject is inside the payload).
insert into purge_confirmation (purge_id, source, subject_id, confirmed_at)
select purge_id, target, 'outbox-' || id, delivered_at from outbox
where kind = 'PurgeSubject' and delivered_at is not null and purge_id is not null
  and purge_id in (select purge_id from purge_report);

-- Peer counts are kept per subject and replaced on redelivery, never added twice; the report sums
-- them. enrollment-svc's own counts, and earlier runs' sums, have subject ''.
alter table purge_count add column subject_id text not null default '';
alter table purge_count drop constraint purge_count_pkey;
alter table purge_count add primary key (purge_id, source, subject_id, category);

drop table outbox;
grant select, insert, update, delete on purge_confirmation to "${app_role}";
