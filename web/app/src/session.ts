// The signed-in session: a JWT kept in sessionStorage (so a reload keeps you signed in, a new tab
// does not), with the claims the UI needs decoded from it. The token is never verified here: the
// gateway does that, and a 401 signs the app out.
import { claimsOf, type Role } from '@eventline/client';

export interface Session {
  token: string;
  sub: string;
  role: Role;
  name: string;
  /** Expiry in epoch seconds, when the token says. */
  exp: number | null;
}

const KEY = 'eventline.token';
const ROLES: readonly Role[] = ['partner', 'admin', 'user'];

/** The session a token describes, or an explanation of why it cannot be used. */
export function decodeToken(raw: string): Session | string {
  const token = raw.trim().replace(/^Bearer\s+/i, '');
  if (token.split('.').length !== 3) return 'That does not look like a JWT (three dot-separated parts).';
  const claims = claimsOf(token);
  if (!claims) return 'The token payload could not be decoded.';
  const sub = typeof claims.sub === 'string' ? claims.sub : null;
  if (!sub) return 'The token has no sub claim.';
  const groups = Array.isArray(claims.groups) ? claims.groups : typeof claims.groups === 'string' ? [claims.groups] : [];
  const role = ROLES.find((r) => groups.includes(r));
  if (!role) return 'The token has no partner, admin or user group.';
  const name = typeof claims.name === 'string' && claims.name ? claims.name : sub;
  const exp = typeof claims.exp === 'number' ? claims.exp : null;
  return { token, sub, role, name, exp };
}

export function isExpired(s: Session, now = Date.now()): boolean {
  return s.exp !== null && s.exp * 1000 <= now;
}

/** The stored session; `expired` when one was stored but its token has expired since. */
export function loadSession(): { session: Session | null; expired: boolean } {
  let raw: string | null = null;
  try {
    raw = sessionStorage.getItem(KEY);
  } catch {
    return { session: null, expired: false };
  }
  if (!raw) return { session: null, expired: false };
  const s = decodeToken(raw);
  if (typeof s === 'string') {
    clearSession();
    return { session: null, expired: false };
  }
  if (isExpired(s)) {
    clearSession();
    return { session: null, expired: true };
  }
  return { session: s, expired: false };
}

export function saveSession(s: Session): void {
  try {
    sessionStorage.setItem(KEY, s.token);
  } catch {
    // storage disabled: the session lasts as long as the page
  }
}

export function clearSession(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}
