-- Demographic group lawfully recorded for the order, used only for the per-group report.
alter table check_in_schedule add column demographic_group text;
