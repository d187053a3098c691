-- The legal window [order_starts_at, order_ends_at) of the order the conditions come from, as
-- enrollment-svc sends it (also inside the stored request): nothing is evaluated outside it.
-- Null: no bound (conditions sent before windows travelled).
alter table subject_conditions
    add column order_starts_at timestamptz,
    add column order_ends_at   timestamptz;
