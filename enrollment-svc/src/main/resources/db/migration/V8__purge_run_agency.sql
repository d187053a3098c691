-- A purge run belongs to one agency: RunRetentionPurge purges the caller's agency only, the schedule
-- runs once per agency, and GetPurgeReport shows an agency only its own runs. Runs made before this
-- migration covered every agency at once; they keep no agency and no agency's admin or auditor sees them.
alter table purge_report add column agency_id text;
create index purge_report_agency on purge_report (agency_id, purge_id);
