-- Every replica holds the device assignments in memory; each looks for rows another replica
-- wrote recently (AssignmentService.refresh) by update time.
create index device_assignment_updated on device_assignment (updated_at);
