// Pieces the dashboards and the messages panel share: a list's panel, a table's head, a form field.
import type { ChangeEvent, ReactNode } from 'react';

/**
 * A panel of one server list: its heading, with a Refresh button when `refresh` is set (it reads
 * "Loading…" and is disabled while the list loads), then the list's load error, then `empty` (what
 * to say when there are no rows, else false) once the list has loaded, then `children`.
 */
export function ListPanel({
  testId,
  headingId,
  title,
  list,
  refresh = false,
  empty = false,
  children,
}: {
  testId: string;
  headingId: string;
  title: string;
  list: { error: string | null; loading: boolean; loaded: boolean; reload: () => unknown };
  refresh?: boolean;
  empty?: string | false;
  children: ReactNode;
}) {
  return (
    <section className="panel" data-testid={testId} aria-labelledby={headingId}>
      <div className="panel-head">
        <h2 id={headingId}>{title}</h2>
        {refresh && (
          <button type="button" className="link-btn" onClick={() => void list.reload()} disabled={list.loading}>
            {list.loading ? 'Loading…' : 'Refresh'}
          </button>
        )}
      </div>
      {list.error && <p className="notice notice-error">{list.error}</p>}
      {empty !== false && list.loaded && <p className="empty">{empty}</p>}
      {children}
    </section>
  );
}

/** A table's head: these columns, then an unlabelled one (for screen readers, "Actions") for the row's buttons. */
export function TableHead({ columns }: { columns: readonly string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
        <th scope="col">
          <span className="sr-only">Actions</span>
        </th>
      </tr>
    </thead>
  );
}

/** A labelled text input (or, with `rows`, a textarea) whose id is also its data-testid. */
export function Field({
  id,
  label,
  value,
  onChange,
  rows,
  type,
  placeholder,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  rows?: number;
  /** A number field also asks for the numeric keyboard. */
  type?: 'datetime-local' | 'number';
  placeholder?: string;
}) {
  const change = (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => onChange(e.target.value);
  return (
    <>
      <label htmlFor={id}>{label}</label>
      {rows !== undefined ? (
        <textarea id={id} data-testid={id} rows={rows} value={value} onChange={change} />
      ) : (
        <input
          id={id}
          data-testid={id}
          type={type}
          inputMode={type === 'number' ? 'numeric' : undefined}
          placeholder={placeholder}
          value={value}
          onChange={change}
        />
      )}
    </>
  );
}
