-- Whether rules-svc holds an order's current conditions, so a caseworker sees it when it does not:
-- each PutSubjectConditions the order enqueues records its version here as PENDING; its delivery
-- makes it APPLIED, rules-svc's permanent refusal NOT_APPLIED with rules-svc's reason. Orders
-- written before this migration have no status (shown as unspecified) until their next change.
alter table monitoring_order
    add column conditions_version bigint,
    add column conditions_status  text check (conditions_status in ('PENDING', 'APPLIED', 'NOT_APPLIED')),
    add column conditions_reason  text;
