-- The gateways allowed to report each device's fixes (the token subjects of callers with role
-- device-gateway), comma-separated like subject.reference_photo_ids: the binding is always read and
-- written whole with its device, it holds at most 16 short identifiers that may not contain commas,
-- and nothing looks devices up by gateway. Devices registered before it are bound to no gateway, and
-- location-svc takes no gateway's fixes for them until SetDeviceGateways names some (fail closed).
alter table device add column gateway_ids text not null default '';
