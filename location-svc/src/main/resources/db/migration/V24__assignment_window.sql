-- The legal window [order_starts_at, order_ends_at) of the order a device is assigned under, as
-- enrollment-svc sends it with every assignment: a fix whose device time falls outside is refused
-- (OUT_OF_RANGE) and not stored. Null: no bound (a release, or an assignment sent before windows).
alter table device_assignment
    add column order_starts_at timestamptz,
    add column order_ends_at   timestamptz;
