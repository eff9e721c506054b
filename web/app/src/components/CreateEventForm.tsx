// The partner's Create Event form: what it sends, its error, and how many creates are in flight.
import { useState, type FormEvent } from 'react';
import { describeError, fromLocalInput, toLocalInput, uuid, type ErrorText } from '../util';
import type { CreateBody } from './myEvents';
import { Field } from './parts';

interface Draft {
  title: string;
  venue: string;
  description: string;
  startsAt: string;
  endsAt: string;
  capacity: string;
  category: string;
  submitForApproval: boolean;
}

/** An empty form: a week from today, 19:00 to 22:00, for 100. */
function emptyDraft(): Draft {
  const start = new Date();
  start.setDate(start.getDate() + 7);
  start.setHours(19, 0, 0, 0);
  const end = new Date(start);
  end.setHours(22, 0, 0, 0);
  return {
    title: '',
    venue: '',
    description: '',
    startsAt: toLocalInput(start),
    endsAt: toLocalInput(end),
    capacity: '100',
    category: '',
    submitForApproval: false,
  };
}

function bodyOf(d: Draft): CreateBody {
  const cap = d.capacity.trim() === '' ? null : Number(d.capacity);
  return {
    title: d.title.trim(),
    description: d.description.trim(),
    venue: d.venue.trim(),
    startsAt: fromLocalInput(d.startsAt),
    endsAt: fromLocalInput(d.endsAt),
    capacity: cap !== null && Number.isFinite(cap) ? cap : null,
    category: d.category.trim() || null,
    submit: d.submitForApproval,
  };
}

export function CreateEventForm({ onCreate }: { onCreate: (body: CreateBody, idempotencyKey: string) => Promise<void> }) {
  const [draft, setDraft] = useState(emptyDraft);
  const [error, setError] = useState<ErrorText | null>(null);
  const [inFlight, setInFlight] = useState(0);
  const set =
    <K extends keyof Draft>(field: K) =>
    (value: Draft[K]) =>
      setDraft((d) => ({ ...d, [field]: value }));

  async function create(ev: FormEvent) {
    ev.preventDefault();
    setError(null);
    const body = bodyOf(draft);
    const key = uuid();
    setInFlight((n) => n + 1);
    try {
      await onCreate(body, key);
      // Clear what was sent, unless it was edited meanwhile.
      setDraft((d) => ({
        ...d,
        title: d.title.trim() === body.title ? '' : d.title,
        description: d.description.trim() === body.description ? '' : d.description,
      }));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setInFlight((n) => n - 1);
    }
  }

  return (
    <section className="panel" aria-labelledby="create-h">
      <h2 id="create-h">Create Event</h2>
      <form className="form-grid" data-testid="create-event-form" onSubmit={create} noValidate>
        <Field id="create-title" label="Title" value={draft.title} onChange={set('title')} />
        <Field id="create-venue" label="Venue" value={draft.venue} onChange={set('venue')} />
        <Field id="create-description" label="Description" rows={3} value={draft.description} onChange={set('description')} />
        <Field id="create-starts-at" label="Starts" type="datetime-local" value={draft.startsAt} onChange={set('startsAt')} />
        <Field id="create-ends-at" label="Ends" type="datetime-local" value={draft.endsAt} onChange={set('endsAt')} />
        <Field id="create-capacity" label="Capacity" type="number" value={draft.capacity} onChange={set('capacity')} />
        <Field id="create-category" label="Category (optional)" value={draft.category} onChange={set('category')} />
        <label className="checkbox full">
          <input
            type="checkbox"
            data-testid="create-submit-for-approval"
            checked={draft.submitForApproval}
            onChange={(e) => set('submitForApproval')(e.target.checked)}
          />
          Submit for approval right away
        </label>
        {error && (
          <div className="notice notice-error form-error" role="alert" data-testid="form-error">
            <p>{error.message}</p>
            {error.fields.length > 0 && (
              <ul>
                {error.fields.map((f) => (
                  <li key={`${f.field}:${f.message}`}>
                    <strong>{f.field}</strong>: {f.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="primary-btn" data-testid="create-event-button">
            Create event
          </button>
          {inFlight > 0 && <span className="muted">Saving…</span>}
        </div>
      </form>
    </section>
  );
}
