// Signed out: the dev personas, a custom dev sign-in, and a token paste field for deployments
// without the dev endpoints.
import { useEffect, useState, type FormEvent } from 'react';
import type { Role } from '@eventline/client';
import { decodeToken, isExpired, type Session } from '../session';

interface Persona {
  sub: string;
  role: Role;
  name?: string;
}

interface Props {
  note: string | null;
  onSignIn: (s: Session) => void;
}

type PersonaState =
  | { kind: 'loading' }
  | { kind: 'ready'; personas: Persona[] }
  | { kind: 'absent' }
  | { kind: 'error'; message: string };

async function problemMessage(res: Response): Promise<string> {
  try {
    const p = (await res.json()) as { detail?: string; title?: string; errors?: { field: string; message: string }[] };
    const fields = (p.errors ?? []).map((f) => `${f.field}: ${f.message}`);
    return [p.detail || p.title || `HTTP ${res.status}`, ...fields].join(' — ');
  } catch {
    return `HTTP ${res.status} ${res.statusText}`.trim();
  }
}

async function mintToken(body: { sub: string; role: Role; name?: string; ttlSeconds?: number }): Promise<string> {
  const res = await fetch('/dev/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' },
    body: JSON.stringify(body),
  });
  if (res.status === 404) throw new Error('POST /dev/token is not available: dev tokens exist only in the dev profile.');
  if (!res.ok) throw new Error(await problemMessage(res));
  const data = (await res.json()) as { token: string };
  return data.token;
}

const ROLE_LABEL: Record<Role, string> = { partner: 'Partner', admin: 'Admin', user: 'User' };

export function PersonaPicker({ note, onSignIn }: Props) {
  const [personas, setPersonas] = useState<PersonaState>({ kind: 'loading' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sub, setSub] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [name, setName] = useState('');
  const [ttl, setTtl] = useState('');
  const [pasted, setPasted] = useState('');

  useEffect(() => {
    let live = true;
    fetch('/dev/personas', { headers: { Accept: 'application/json' } })
      .then(async (res) => {
        if (!live) return;
        if (res.status === 404) {
          setPersonas({ kind: 'absent' });
          return;
        }
        if (!res.ok) {
          setPersonas({ kind: 'error', message: await problemMessage(res) });
          return;
        }
        const list = (await res.json()) as Persona[];
        if (live) setPersonas({ kind: 'ready', personas: Array.isArray(list) ? list : [] });
      })
      .catch(() => live && setPersonas({ kind: 'error', message: 'The gateway cannot be reached.' }));
    return () => {
      live = false;
    };
  }, []);

  function accept(token: string) {
    const s = decodeToken(token);
    if (typeof s === 'string') {
      setError(s);
      return;
    }
    if (isExpired(s)) {
      setError('That token has already expired.');
      return;
    }
    onSignIn(s);
  }

  async function signInAs(body: { sub: string; role: Role; name?: string; ttlSeconds?: number }) {
    setBusy(true);
    setError(null);
    try {
      accept(await mintToken(body));
    } catch (e) {
      setError(e instanceof TypeError ? 'The gateway cannot be reached.' : e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  function onCustom(ev: FormEvent) {
    ev.preventDefault();
    const body: { sub: string; role: Role; name?: string; ttlSeconds?: number } = { sub: sub.trim(), role };
    if (!body.sub) {
      setError('Enter a user id (sub).');
      return;
    }
    if (name.trim()) body.name = name.trim();
    if (ttl.trim()) {
      const n = Number(ttl);
      if (!Number.isInteger(n) || n <= 0) {
        setError('The lifetime is a whole number of seconds.');
        return;
      }
      body.ttlSeconds = n;
    }
    void signInAs(body);
  }

  function onPaste(ev: FormEvent) {
    ev.preventDefault();
    setError(null);
    accept(pasted);
  }

  const seenRoles = new Set<Role>();

  return (
    <div className="signin" data-testid="persona-picker">
      <div className="signin-card">
        <h1>Eventline</h1>
        <p className="muted">Sign in to see the partner, admin or user dashboard.</p>
        {note && (
          <p className="notice notice-warn" data-testid="session-note">
            {note}
          </p>
        )}
        {error && (
          <p className="notice notice-error" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}

        <section aria-labelledby="personas-h">
          <h2 id="personas-h">Dev personas</h2>
          {personas.kind === 'loading' && <p className="muted">Loading personas…</p>}
          {personas.kind === 'absent' && (
            <p className="notice" data-testid="personas-unavailable">
              Dev personas exist only in the dev profile. Paste a token from your identity provider below.
            </p>
          )}
          {personas.kind === 'error' && <p className="notice notice-error">Personas unavailable: {personas.message}</p>}
          {personas.kind === 'ready' && (
            <div className="persona-buttons">
              {personas.personas.map((p) => {
                const first = !seenRoles.has(p.role);
                seenRoles.add(p.role);
                return (
                  <button
                    key={`${p.role}:${p.sub}`}
                    type="button"
                    className="persona"
                    disabled={busy}
                    data-testid={first ? `persona-${p.role}` : undefined}
                    onClick={() => void signInAs({ sub: p.sub, role: p.role, name: p.name })}
                  >
                    <span className="persona-name">{p.name ?? p.sub}</span>
                    <span className="persona-role">
                      {ROLE_LABEL[p.role] ?? p.role} · {p.sub}
                    </span>
                  </button>
                );
              })}
            </div>
          )}
        </section>

        {personas.kind !== 'absent' && (
          <section aria-labelledby="custom-h">
            <h2 id="custom-h">Custom dev sign-in</h2>
            <form className="form-grid" onSubmit={onCustom} noValidate>
              <label htmlFor="custom-sub">User id (sub)</label>
              <input id="custom-sub" data-testid="custom-sub" value={sub} onChange={(e) => setSub(e.target.value)} />
              <label htmlFor="custom-role">Role</label>
              <select
                id="custom-role"
                data-testid="custom-role"
                value={role}
                onChange={(e) => setRole(e.target.value as Role)}
              >
                <option value="partner">partner</option>
                <option value="admin">admin</option>
                <option value="user">user</option>
              </select>
              <label htmlFor="custom-name">Display name</label>
              <input id="custom-name" data-testid="custom-name" value={name} onChange={(e) => setName(e.target.value)} />
              <label htmlFor="custom-ttl">Lifetime (seconds, optional)</label>
              <input
                id="custom-ttl"
                data-testid="custom-ttl"
                type="number"
                inputMode="numeric"
                min={5}
                placeholder="43200"
                value={ttl}
                onChange={(e) => setTtl(e.target.value)}
              />
              <div className="form-actions">
                <button type="submit" className="primary-btn" data-testid="custom-signin" disabled={busy}>
                  Sign in
                </button>
              </div>
            </form>
          </section>
        )}

        <section aria-labelledby="token-h">
          <h2 id="token-h">Sign in with a token</h2>
          <form className="token-form" onSubmit={onPaste} noValidate>
            <label htmlFor="token-input">JWT (Bearer token)</label>
            <textarea
              id="token-input"
              data-testid="token-input"
              rows={3}
              spellCheck={false}
              value={pasted}
              onChange={(e) => setPasted(e.target.value)}
            />
            <div className="form-actions">
              <button type="submit" data-testid="token-signin" disabled={!pasted.trim()}>
                Use token
              </button>
            </div>
          </form>
        </section>
      </div>
    </div>
  );
}
