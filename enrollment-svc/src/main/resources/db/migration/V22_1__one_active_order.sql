-- At most one active order per subject, enforced by the database: two concurrent CreateOrder calls
-- for one subject can no longer both pass the service's check. The loser's insert fails with a
-- unique violation of monitoring_order_one_active, which the service answers FAILED_PRECONDITION.
--
-- A database in which the race already happened cannot take the index. Which order is the lawful
-- one is a caseworker's decision, not a migration's: the migration stops, naming how many subjects
-- are affected, and the upgrade waits until all but one active order of each is ended (EndOrder).
do $$
declare
    affected integer;
begin
    select count(*) into affected from (
        select subject_id from monitoring_order where state = 'ORDER_STATE_ACTIVE' group by subject_id having count(*) > 1) d;
    if affected > 0 then
        raise exception '% subjects have more than one active monitoring order; end all but one of each (EndOrder) before upgrading. '
            'Find them with: select subject_id, order_id, starts_at from monitoring_order where state = ''ORDER_STATE_ACTIVE'' '
            'and subject_id in (select subject_id from monitoring_order where state = ''ORDER_STATE_ACTIVE'' '
            'group by subject_id having count(*) > 1) order by subject_id, starts_at', affected;
    end if;
end $$;
create unique index monitoring_order_one_active on monitoring_order (subject_id) where state = 'ORDER_STATE_ACTIVE';
