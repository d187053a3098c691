-- A device event rules-svc deferred (no monitoring order known yet for its subject) is sent again
-- after a backoff instead of holding back the outbox behind it.
alter table device_event add column next_attempt_at timestamptz;
