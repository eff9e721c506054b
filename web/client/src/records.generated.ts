// Generated from change-record/src/main/resources/schemas by web/client/scripts/generate-records.mjs; do not edit.
// Regenerate with `npm run generate -w @eventline/client` after changing a schema.
/* eslint-disable */

// ---- booking.json (x-version 1)

/**
 * Known values. The set is open: a newer server may send others.
 */
export type BookingStatus = 'CONFIRMED' | 'CANCELLED';

/**
 * data of booking.confirmed and booking.cancelled on eventline.events (key: the event id): the booking after the change, with the event as of that change
 */
export interface Booking {
  id: string;
  eventId: string;
  userId: string;
  seats: number;
  status: BookingStatus;
  version: number;
  createdAt: string;
  event: BookedEventSummary;
}
export interface BookedEventSummary {
  title: string;
  venue: string;
  startsAt: string;
  endsAt: string;
  status: EventStatus;
  capacity: number;
  seatsBooked: number;
}

// ---- conversation-read.json (x-version 1)

/**
 * data of conversation.read on eventline.messages (audience: the reader only); ce_aggregateversion is readSeq
 */
export interface ReadState {
  conversationId: string;
  userId: string;
  readSeq: number;
  unreadCount: number;
}

// ---- conversation.json (x-version 1)

/**
 * data of conversation.created on eventline.messages: the conversation summary (no per-user unreadCount; absent optional fields are omitted)
 */
export interface Conversation {
  id: string;
  subject?: string;
  eventId?: string;
  /**
   * @minItems 2
   * @maxItems 51
   */
  participants: string[];
  createdBy: string;
  createdAt: string;
  lastSeq: number;
  activityAt: string;
  lastMessage?: Message;
}

// ---- event.json (x-version 1)

/**
 * Known values. The set is open: a newer server may send others.
 */
export type EventStatus = 'DRAFT' | 'PENDING_APPROVAL' | 'APPROVED' | 'REJECTED' | 'CANCELLED';

/**
 * data of event.created, event.updated, event.submitted, event.approved, event.rejected, event.cancelled, event.revision-submitted, event.revision-withdrawn, event.revision-approved and event.revision-rejected on eventline.events: the event after the change, as GET /api/events/{id} returns it to its partner. Once an event was approved, title, description, venue, startsAt, endsAt and category are always the approved content; revision (changed content waiting for review, or rejected) is present only in records whose audience is the partner and admins, never in a public one.
 */
export interface Event {
  id: string;
  partnerId: string;
  title: string;
  description: string;
  venue: string;
  startsAt: string;
  endsAt: string;
  capacity: number;
  seatsBooked: number;
  category?: string | null;
  status: EventStatus;
  rejectionReason?: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
  revision?: EventRevision;
}
/**
 * Changed content of an APPROVED event: PENDING while it waits for an admin, REJECTED (with rejectionReason) until the partner edits again. Absent when there is none, and from every public record.
 */
export interface EventRevision {
  /**
   * Known values. The set is open: a newer server may send others.
   */
  status: 'PENDING' | 'REJECTED';
  title: string;
  description: string;
  venue: string;
  startsAt: string;
  endsAt: string;
  category?: string | null;
  submittedAt: string;
  rejectionReason?: string | null;
}

// ---- message.json (x-version 1)

/**
 * data of message.sent on eventline.messages (key: the conversation id); ce_aggregateversion is its seq
 */
export interface Message {
  id: string;
  conversationId: string;
  senderId: string;
  senderName: string;
  body: string;
  seq: number;
  sentAt: string;
}

// ---- notification-read-all.json (x-version 1)

/**
 * data of notification.read-all on eventline.notifications (audience: the reader only)
 */
export interface ReadAll {
  userId: string;
  readAt: string;
  count: number;
}

// ---- notification.json (x-version 1)

/**
 * Known values. The set is open: a newer server may send others.
 */
export type NotificationType =
  | 'EVENT_SUBMITTED'
  | 'EVENT_APPROVED'
  | 'EVENT_REJECTED'
  | 'EVENT_UPDATED'
  | 'EVENT_CANCELLED'
  | 'BOOKING_CONFIRMED'
  | 'BOOKING_RECEIVED'
  | 'MESSAGE_RECEIVED'
  | 'REVISION_SUBMITTED'
  | 'REVISION_APPROVED'
  | 'REVISION_REJECTED';

/**
 * data of notification.created and notification.read on eventline.notifications (key: the recipient id, or role:admin)
 */
export interface Notification {
  id: string;
  type: NotificationType;
  title: string;
  body: string;
  subject: {
    /**
     * Known values. The set is open: a newer server may send others.
     */
    kind: 'event' | 'booking' | 'conversation';
    id: string;
  };
  read: boolean;
  createdAt: string;
  /**
   * ce_id of the record it was derived from
   */
  sourceId: string;
}

/** The record types whose data each schema describes (their `x-record-types`), by the schema's title. */
export const RECORD_TYPES_BY_SCHEMA = {
  Booking: [
    'booking.confirmed',
    'booking.cancelled',
  ],
  ReadState: [
    'conversation.read',
  ],
  Conversation: [
    'conversation.created',
  ],
  Event: [
    'event.created',
    'event.updated',
    'event.submitted',
    'event.approved',
    'event.rejected',
    'event.cancelled',
    'event.revision-submitted',
    'event.revision-withdrawn',
    'event.revision-approved',
    'event.revision-rejected',
  ],
  Message: [
    'message.sent',
  ],
  ReadAll: [
    'notification.read-all',
  ],
  Notification: [
    'notification.created',
    'notification.read',
  ],
} as const;

/** The major version of each schema (its `x-version`): a record's `dataschema` ends in `/v<version>.json`. */
export const SCHEMA_VERSIONS = {
  Booking: 1,
  ReadState: 1,
  Conversation: 1,
  Event: 1,
  Message: 1,
  ReadAll: 1,
  Notification: 1,
} as const;
