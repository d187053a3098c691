-- Devices that report by their own identifier (IMEI, Traccar unique id, manufacturer serial)
-- rather than the Sentinel device UUID. Unique per agency, as enrollment-svc registers them.
alter table device_assignment add column serial text;
create unique index device_assignment_serial on device_assignment (owning_agency_id, serial) where serial is not null;
