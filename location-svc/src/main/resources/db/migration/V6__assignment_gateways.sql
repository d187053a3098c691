-- The gateways (token subjects) allowed to report each device's fixes, comma-separated, as
-- enrollment-svc sends them with every assignment (PutDeviceAssignment.gateway_ids). Assignments
-- stored before it are bound to no gateway: no gateway may report them (fail closed) until
-- enrollment-svc sends a binding under a newer version.
alter table device_assignment add column gateway_ids text not null default '';
