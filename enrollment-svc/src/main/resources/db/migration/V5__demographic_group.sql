-- Optional demographic group of the subject, recorded with its lawful basis only, for the
-- per-group face-verification report in biometric-svc; never used in any decision.
alter table monitoring_order add column demographic_group text;
alter table monitoring_order add column demographic_basis text;
alter table monitoring_order add constraint monitoring_order_demographic_basis
    check ((demographic_group is null) = (demographic_basis is null));
