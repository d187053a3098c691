-- Every replica holds the compiled conditions in memory; each looks for rows another replica
-- wrote recently (ConditionsService.refresh) by update time.
create index subject_conditions_updated on subject_conditions (updated_at);
