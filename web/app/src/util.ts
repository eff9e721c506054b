// Small helpers shared by the dashboards: ids, time formatting and comparison, error text.
import type { EventStatus, Page, Api } from '@eventline/client';

/** A v4 UUID; crypto.randomUUID exists only in secure contexts (https or localhost). */
export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** "PENDING_APPROVAL" → "pending approval". */
export function statusText(s: EventStatus | string): string {
  return s.toLowerCase().replace(/_/g, ' ');
}

/**
 * An ISO-8601 instant in microseconds since the epoch: the services keep microsecond precision,
 * which Date would truncate, and ordering two changes made in the same millisecond matters.
 */
export function isoMicros(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return 0;
  const frac = /\.(\d+)/.exec(iso);
  const extra = frac ? Number((frac[1] + '000000').slice(3, 6)) : 0;
  return ms * 1000 + extra;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toDateString() === new Date().toDateString() ? timeOnly.format(d) : dateTime.format(d);
}

/** A Date as the value of an `<input type="datetime-local">` (local time, minutes). */
export function toLocalInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A datetime-local value as an ISO instant, or null when empty or invalid (the server then says which). */
export function fromLocalInput(v: string): string | null {
  if (!v) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export interface ErrorText {
  message: string;
  fields: { field: string; message: string }[];
  status: number | null;
}

/** What to show for a failed call: the problem's detail (else title) and its field errors. */
export function describeError(e: unknown): ErrorText {
  if (e !== null && typeof e === 'object' && 'problem' in e) {
    const p = (e as { problem: { status: number; title?: string; detail?: string; errors?: ErrorText['fields'] } })
      .problem;
    return {
      message: p.detail || p.title || `HTTP ${p.status}`,
      fields: Array.isArray(p.errors) ? p.errors : [],
      status: p.status,
    };
  }
  if (e instanceof TypeError) {
    return { message: 'The server cannot be reached — check your connection and try again.', fields: [], status: null };
  }
  return { message: e instanceof Error ? e.message : String(e), fields: [], status: null };
}

/** The error's message, then its field errors in brackets where they say more than it: for a toast. */
export function withFields(d: ErrorText): string {
  const fields = d.fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return `${d.message}${fields && fields !== d.message ? ` (${fields})` : ''}`;
}

export function errorStatus(e: unknown): number | null {
  return describeError(e).status;
}

/** Every item of a paged list, following nextCursor up to `maxPages` pages of 100. */
export async function fetchAll<T>(api: Api, path: string, maxPages = 5): Promise<T[]> {
  const sep = path.includes('?') ? '&' : '?';
  const first = `${path}${sep}limit=100`;
  const items: T[] = [];
  let url = first;
  for (let i = 0; i < maxPages; i++) {
    const res = await api.get<Page<T>>(url);
    items.push(...(res.data?.items ?? []));
    const next = res.data?.nextCursor;
    if (!next) break;
    url = `${first}&cursor=${encodeURIComponent(next)}`;
  }
  return items;
}
