-- Feed cursors are assigned after commit, by one sequencer at a time, instead of when an event is
-- inserted. A cursor taken at insert time commits in the order transactions finish, not the order
-- they took it; keeping the two equal needed one lock around every alert write, so escalations and
-- device events held up live fix evaluation. Now writers insert events without a cursor, and the
-- sequencer numbers committed ones in a short transaction of its own: subscribers still read
-- "cursor greater than the last one seen" and miss nothing.
alter table alert_event add column event_id bigserial;
alter table alert_event drop constraint alert_event_pkey;
alter table alert_event add primary key (event_id);
-- The sequence stays (owned by the column) and goes on from the cursors already given.
alter table alert_event alter column cursor drop default;
alter table alert_event alter column cursor drop not null;
create unique index alert_event_cursor on alert_event (cursor);
create index alert_event_unsequenced on alert_event (event_id) where cursor is null;
