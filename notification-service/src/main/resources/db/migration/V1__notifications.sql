-- A notification for one user ('user:<sub>') or for a role ('role:admin': stored once, shown to
-- every admin, read state per admin in notification_read).
create table notification (
    id           uuid primary key,
    recipient    text        not null,
    type         text        not null,
    title        text        not null,
    body         text        not null,
    subject_kind text        not null,
    subject_id   text        not null,
    source_id    text        not null,
    created_at   timestamptz not null,
    read_at      timestamptz,
    -- one notification per source record and recipient, whatever the redelivery
    constraint notification_once unique (source_id, recipient)
);
create index notification_by_recipient on notification (recipient, created_at desc, id desc);
create index notification_unread_by_recipient on notification (recipient) where read_at is null;

create table notification_read (
    notification_id uuid        not null references notification (id),
    user_id         text        not null,
    read_at         timestamptz not null,
    primary key (notification_id, user_id)
);

-- Exact, O(1) unread counts for role-addressed notifications: how many a role has received, and
-- how many of them each of its users has read.
create table role_counter (
    role     text   primary key,
    received bigint not null
);
create table role_reads (
    user_id text   not null,
    role    text   not null,
    read    bigint not null,
    primary key (user_id, role)
);

-- Our own projections of the events topic: no calls back to events-service.
create table event_projection (
    event_id   uuid primary key,
    partner_id text        not null,
    title      text        not null,
    venue      text        not null,
    starts_at  timestamptz not null,
    ends_at    timestamptz not null,
    version    bigint      not null
);
create table booking_projection (
    booking_id uuid primary key,
    event_id   uuid   not null,
    user_id    text   not null,
    status     text   not null,
    version    bigint not null
);
create index booking_projection_confirmed on booking_projection (event_id) where status = 'CONFIRMED';
