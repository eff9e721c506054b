// The resources of the REST API and the change records the stream pushes. A record's `data` is the
// same JSON as the REST resource after the change; its shapes and the record types are generated
// from their one source, the JSON Schemas in change-record/src/main/resources/schemas/, into
// records.generated.ts (scripts/generate-records.mjs; the build fails when that file is stale or
// edited by hand). This file names them for the client's API and adds what is not in a record.
// The schemas are open: a newer server may add fields, enum values and record types, so a client
// ignores fields it does not know, and an unknown type arrives as an UnknownRecord.

import type {
  BookedEventSummary,
  Booking,
  BookingStatus,
  Conversation,
  Event,
  EventRevision,
  EventStatus,
  Message,
  Notification,
  NotificationType,
  ReadAll,
  ReadState,
} from './records.generated.js';
import { RECORD_TYPES_BY_SCHEMA } from './records.generated.js';

export type { BookedEventSummary, BookingStatus, EventRevision, EventStatus, NotificationType };
export { SCHEMA_VERSIONS } from './records.generated.js';

export type Role = 'partner' | 'admin' | 'user';

/** Timestamps are ISO-8601 UTC strings, ids UUID strings. data of the event.* records. */
export type EventDto = Event;
/** data of booking.*: the booking, with the event as of that change. */
export type BookingDto = Booking;
/** data of message.sent; `seq` counts per conversation from 1 and is the record's aggregateversion. */
export type MessageDto = Message;

export interface ConversationDto extends Conversation {
  /** The caller's own count: in REST answers only, never in change records (they are shared). */
  unreadCount?: number;
}

/** data of conversation.read; its aggregateversion is readSeq. */
export type ReadStateDto = ReadState;
/** data of notification.created and notification.read. */
export type NotificationDto = Notification;
/** data of notification.read-all. */
export type ReadAllDto = ReadAll;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `GET /api/notifications/unread-count`, `GET /api/messages/unread-count`. */
export interface Count {
  count: number;
}

/** `GET /api/me/summary`: a part whose service is unavailable is null. */
export interface MeSummary {
  unreadNotifications: number | null;
  unreadMessages: number | null;
  bookings: number | null;
  events: Partial<Record<EventStatus, number>> | null;
}

/** `POST /api/stream/tickets`. */
export interface StreamTicket {
  ticket: string;
  /** Seconds. */
  expiresIn: number;
}

// ---- change records ----

export const EVENT_RECORD_TYPES = RECORD_TYPES_BY_SCHEMA.Event;
export const BOOKING_RECORD_TYPES = RECORD_TYPES_BY_SCHEMA.Booking;
export const MESSAGING_RECORD_TYPES = [
  ...RECORD_TYPES_BY_SCHEMA.Conversation,
  ...RECORD_TYPES_BY_SCHEMA.Message,
  ...RECORD_TYPES_BY_SCHEMA.ReadState,
] as const;
export const NOTIFICATION_RECORD_TYPES = [
  ...RECORD_TYPES_BY_SCHEMA.Notification,
  ...RECORD_TYPES_BY_SCHEMA.ReadAll,
] as const;
/** Every record type the stream can push (its SSE `event:` names). */
export const RECORD_TYPES = [
  ...EVENT_RECORD_TYPES,
  ...BOOKING_RECORD_TYPES,
  ...MESSAGING_RECORD_TYPES,
  ...NOTIFICATION_RECORD_TYPES,
] as const;

export type EventRecordType = (typeof EVENT_RECORD_TYPES)[number];
export type BookingRecordType = (typeof BOOKING_RECORD_TYPES)[number];
export type MessagingRecordType = (typeof MESSAGING_RECORD_TYPES)[number];
export type NotificationRecordType = (typeof NOTIFICATION_RECORD_TYPES)[number];
export type RecordType = (typeof RECORD_TYPES)[number];

/** A change record as structured-mode CloudEvents JSON. */
export interface ChangeRecord<T = unknown> {
  specversion: string;
  /** Unique per record: the de-duplication key. */
  id: string;
  source: string;
  type: RecordType;
  /** The aggregate id (an event's, a booking's, a conversation's…). */
  subject: string;
  time: string;
  audience: string;
  /** The aggregate's version after the change: apply a record only when it is newer than what you hold. */
  aggregateversion: number;
  /**
   * The schema of `data` and its major version, `https://eventline.dev/schemas/<type>/v<N>.json`
   * (absent from records written before it was set: read those as v1).
   */
  dataschema?: string;
  /** The full resource after the change. */
  data: T;
}

type Typed<K extends RecordType, T> = ChangeRecord<T> & { type: K };

export type EventRecord = Typed<EventRecordType, EventDto>;
export type BookingRecord = Typed<BookingRecordType, BookingDto>;
export type ConversationRecord = Typed<'conversation.created', ConversationDto>;
export type MessageRecord = Typed<'message.sent', MessageDto>;
export type ConversationReadRecord = Typed<'conversation.read', ReadStateDto>;
export type MessagingRecord = ConversationRecord | MessageRecord | ConversationReadRecord;
export type NotificationChangeRecord = Typed<'notification.created' | 'notification.read', NotificationDto>;
export type NotificationReadAllRecord = Typed<'notification.read-all', ReadAllDto>;
export type NotificationRecord = NotificationChangeRecord | NotificationReadAllRecord;
/** Every record, discriminated by `type`: `switch (r.type)` narrows `r.data`. */
export type AnyRecord = EventRecord | BookingRecord | MessagingRecord | NotificationRecord;

/**
 * A record of a type this client does not know (the server added it after this client was
 * built): delivered as it came, marked `kind: 'unknown'`.
 */
export interface UnknownRecord extends Omit<ChangeRecord<unknown>, 'type'> {
  kind: 'unknown';
  type: string;
}

/**
 * What the stream delivers: a known record, or an unknown one (never dropped). Test
 * `isUnknownRecord(r)` first; after it, `switch (r.type)` narrows `r.data` (before it, the
 * compiler keeps `r.data` unknown, since an unknown record may carry any type).
 */
export type StreamRecord = AnyRecord | UnknownRecord;

const KNOWN_TYPES: ReadonlySet<string> = new Set(RECORD_TYPES);

export function isKnownRecordType(type: string): type is RecordType {
  return KNOWN_TYPES.has(type);
}

export function isUnknownRecord(r: unknown): r is UnknownRecord {
  return r != null && (r as { kind?: unknown }).kind === 'unknown';
}

// The guards accept undefined so that a hook callback's optional record can be tested directly.
// An unknown record never passes them, even when its type looks like one of their families.
type MaybeRecord = ChangeRecord | UnknownRecord | null | undefined;

export function isEventRecord(r: MaybeRecord): r is EventRecord {
  return r != null && !isUnknownRecord(r) && r.type.startsWith('event.');
}

/**
 * The event after `r`, for a holder of `prev` who may see revisions (the partner, an admin). A
 * public record never carries the revision, and the only public record that leaves it as it was
 * is `event.updated` (an operational change such as capacity): there the held revision is kept.
 * Every change of the revision has its own, later record.
 */
export function mergeEventRecord(prev: EventDto | undefined, r: EventRecord): EventDto {
  if (r.type === 'event.updated' && r.audience === 'public' && prev?.revision && !('revision' in r.data)) {
    return { ...r.data, revision: prev.revision };
  }
  return r.data;
}

export function isBookingRecord(r: MaybeRecord): r is BookingRecord {
  return r != null && !isUnknownRecord(r) && r.type.startsWith('booking.');
}

export function isMessagingRecord(r: MaybeRecord): r is MessagingRecord {
  return r != null && !isUnknownRecord(r) && (r.type.startsWith('conversation.') || r.type.startsWith('message.'));
}

export function isNotificationRecord(r: MaybeRecord): r is NotificationRecord {
  return r != null && !isUnknownRecord(r) && r.type.startsWith('notification.');
}

/** Which of the hooks' three update kinds a record belongs to. */
export type UpdateKind = 'event' | 'message' | 'notification';

/** The kind a record type's family (its prefix) belongs to, for known and unknown types alike. */
export function updateKindOfType(type: string): UpdateKind | null {
  if (type.startsWith('event.') || type.startsWith('booking.')) return 'event';
  if (type.startsWith('conversation.') || type.startsWith('message.')) return 'message';
  if (type.startsWith('notification.')) return 'notification';
  return null;
}

export function updateKindOf(r: ChangeRecord): UpdateKind | null {
  if (isEventRecord(r) || isBookingRecord(r)) return 'event';
  if (isMessagingRecord(r)) return 'message';
  if (isNotificationRecord(r)) return 'notification';
  return null;
}
