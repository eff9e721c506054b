-- The transactional outbox: a service inserts a row here in the same transaction as its change;
-- the relay publishes rows to Kafka in id order and deletes them once the broker acknowledged.
create table changefeed_outbox (
    id                bigint generated always as identity primary key,
    ce_id             uuid        not null unique,
    topic             text        not null,
    record_key        text        not null,
    ce_type           text        not null,
    ce_source         text        not null,
    ce_subject        text        not null,
    ce_time           timestamptz not null,
    audience          text        not null,
    aggregate_version bigint      not null,
    payload           text        not null
);

-- Consumer-side de-duplication: one row per (consumer, ce_id) it has acted on, written in the
-- same transaction as the effect, so a redelivered record is recognised after any crash.
create table changefeed_processed (
    consumer     text        not null,
    ce_id        text        not null,
    processed_at timestamptz not null default now(),
    primary key (consumer, ce_id)
);
create index changefeed_processed_age on changefeed_processed (processed_at);
