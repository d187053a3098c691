-- The one transactional outbox (io.sentinel.common.outbox) of every service that sends to peers.
-- A row is written in the same transaction as the change it announces and delivered until the peer
-- acknowledges it. Rows of one target (peer + ordering key, e.g. the subject) are delivered in id
-- order, one at a time: a later row waits behind a failing earlier one. A replica claims a row with
-- FOR UPDATE SKIP LOCKED and a lease (claimed_by, lease_until); when the lease runs out (the replica
-- died) another replica takes the row over. A row refused for good, or failing max-attempts times, is
-- PARKED with its reason until an operator retries or discards it. Delivered rows are pruned after
-- sentinel.outbox.keep-delivered, so their payloads do not outlive retention.
-- Versioned 22.100 so it sorts after every service's own migrations of the same era and clashes with none.
create table outbox_message (
    id              bigint generated always as identity primary key,
    target          text        not null,
    kind            text        not null,
    ordering_key    text        not null,
    subject_id      uuid,
    correlation_id  uuid,
    payload         bytea       not null,
    state           text        not null default 'PENDING' check (state in ('PENDING', 'DELIVERED', 'PARKED')),
    created_at      timestamptz not null default now(),
    attempts        integer     not null default 0,
    next_attempt_at timestamptz not null default now(),
    claimed_by      text,
    lease_until     timestamptz,
    delivered_at    timestamptz,
    parked_at       timestamptz,
    last_error      text
);
create index outbox_message_open on outbox_message (target, ordering_key, id) where state <> 'DELIVERED';
create index outbox_message_due on outbox_message (next_attempt_at, id) where state = 'PENDING';
create index outbox_message_delivered on outbox_message (delivered_at) where state = 'DELIVERED';
create index outbox_message_subject on outbox_message (subject_id) where subject_id is not null;
create index outbox_message_correlation on outbox_message (correlation_id) where correlation_id is not null;

-- The service (running as "${app_role}") reads, writes, claims and prunes rows; it owns nothing here.
grant select, insert, update, delete on outbox_message to "${app_role}";
grant usage, select on sequence outbox_message_id_seq to "${app_role}";
