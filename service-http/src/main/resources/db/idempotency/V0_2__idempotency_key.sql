-- Idempotency-Key (docs/api.md, "Idempotency keys"): the same key from the same user returns the first result
-- and never creates twice. Claimed in the create's own transaction.
create table idempotency_key (
    user_id      text        not null,
    scope        text        not null,
    key          text        not null,
    request_hash text        not null,
    resource_id  uuid        not null,
    created_at   timestamptz not null default now(),
    primary key (user_id, scope, key)
);
create index idempotency_key_age on idempotency_key (created_at);
