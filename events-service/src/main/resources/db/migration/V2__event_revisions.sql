-- A change to an approved event's content waits here for review; the event's own columns stay
-- what an admin approved (and what the public sees) until the revision is approved. One revision
-- per event: a later edit replaces the pending one. A rejected revision stays, with its reason,
-- until the partner edits again, so the partner can read why.
alter table event
    add column rev_status       text,
    add column rev_title        text,
    add column rev_description  text,
    add column rev_venue        text,
    add column rev_starts_at    timestamptz,
    add column rev_ends_at      timestamptz,
    add column rev_category     text,
    add column rev_submitted_at timestamptz,
    add column rev_rejection_reason text,
    add constraint event_revision_status check (rev_status in ('PENDING', 'REJECTED')),
    add constraint event_revision_whole check (rev_status is null
        or (rev_title is not null and rev_venue is not null and rev_starts_at is not null
            and rev_ends_at is not null and rev_submitted_at is not null and rev_description is not null)),
    add constraint event_revision_ends_after_start check (rev_ends_at > rev_starts_at);

-- The admin review queue holds new events (PENDING_APPROVAL) and pending revisions of approved
-- ones, oldest submission first: one key for both.
alter table event add column review_since timestamptz;
update event set review_since = submitted_at where status = 'PENDING_APPROVAL';
drop index event_review_queue;
create index event_review_queue on event (review_since, id) where review_since is not null;
