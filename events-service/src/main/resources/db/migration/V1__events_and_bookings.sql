create table event (
    id               uuid primary key,
    partner_id       text        not null,
    title            text        not null,
    description      text        not null default '',
    venue            text        not null,
    starts_at        timestamptz not null,
    ends_at          timestamptz not null,
    capacity         integer     not null check (capacity between 1 and 100000),
    seats_booked     integer     not null default 0,
    category         text,
    status           text        not null,
    rejection_reason text,
    version          bigint      not null,
    created_at       timestamptz not null,
    updated_at       timestamptz not null,
    submitted_at     timestamptz,
    -- set on first approval: from then on the event has been public, even once cancelled
    published_at     timestamptz,
    -- the last line of defence against overselling, whatever the code does
    constraint event_seats_within_capacity check (seats_booked between 0 and capacity),
    constraint event_ends_after_start check (ends_at > starts_at)
);
-- the catalog: approved, not ended, soonest first
create index event_catalog on event (starts_at, id) where status = 'APPROVED';
-- a partner's events, newest first (optionally by status)
create index event_by_partner on event (partner_id, created_at desc, id desc);
-- the admin review queue, oldest submission first
create index event_review_queue on event (submitted_at, id) where status = 'PENDING_APPROVAL';

create table booking (
    id         uuid primary key,
    event_id   uuid        not null references event (id),
    user_id    text        not null,
    seats      integer     not null check (seats between 1 and 10),
    status     text        not null,
    version    bigint      not null,
    created_at timestamptz not null
);
-- a user's bookings, newest first
create index booking_by_user on booking (user_id, created_at desc, id desc);
-- the confirmed bookings an event cancellation must cancel
create index booking_confirmed_by_event on booking (event_id) where status = 'CONFIRMED';
