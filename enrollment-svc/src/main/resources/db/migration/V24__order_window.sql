-- When monitoring really ended. EndOrder sets it to its time, the expiry job to ends_at; retention
-- periods count from it. Orders ended before this migration ended at their ends_at (EndOrder wrote
-- its time there).
alter table monitoring_order add column ended_at timestamptz;
update monitoring_order set ended_at = ends_at where state = 'ORDER_STATE_ENDED';
-- The expiry job's claim: active orders whose window has closed, oldest first.
create index monitoring_order_expiry on monitoring_order (ends_at) where state = 'ORDER_STATE_ACTIVE';
