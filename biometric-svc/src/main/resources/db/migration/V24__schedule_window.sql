-- The legal window [order_starts_at, order_ends_at) of the order a schedule comes from, as
-- enrollment-svc sends it: no prompt is planned outside it. Null: no bound (schedules sent before
-- windows travelled).
alter table check_in_schedule
    add column order_starts_at timestamptz,
    add column order_ends_at   timestamptz;
