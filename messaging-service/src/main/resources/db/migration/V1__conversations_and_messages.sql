create table conversation (
    id          uuid primary key,
    subject     text,
    event_id    uuid,
    created_by  text        not null,
    created_at  timestamptz not null,
    -- the highest seq given out: the next message takes last_seq + 1 under the row lock
    last_seq    bigint      not null default 0,
    -- the latest activity (creation or last message), for "latest activity first"
    activity_at timestamptz not null
);

create table participant (
    conversation_id uuid   not null references conversation (id),
    user_id         text   not null,
    -- read up to here; sending a message reads everything before it, so
    -- unread = conversation.last_seq - read_seq exactly, and own messages never count
    read_seq        bigint not null default 0,
    primary key (conversation_id, user_id)
);
-- a user's conversations (and unread total)
create index participant_by_user on participant (user_id);

create table message (
    id              uuid primary key,
    conversation_id uuid        not null references conversation (id),
    seq             bigint      not null,
    sender_id       text        not null,
    -- the sender's display name when sent (the token's name claim), so consumers need no lookup
    sender_name     text        not null,
    body            text        not null,
    sent_at         timestamptz not null,
    -- seqs never repeat in a conversation, whatever the concurrency
    constraint message_seq_unique unique (conversation_id, seq)
);
