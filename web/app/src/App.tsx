import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createApi } from '@eventline/client';
import { EventUpdateProvider, useEventUpdates } from '@eventline/client/react';
import type { ChangeRecord } from '@eventline/client';
import { AppProvider, ToastProvider, useApp } from './context';
import { clearSession, isExpired, loadSession, saveSession, type Session } from './session';
import { PersonaPicker } from './components/PersonaPicker';
import { Header } from './components/Header';
import { PartnerDashboard } from './components/PartnerDashboard';
import { AdminDashboard } from './components/AdminDashboard';
import { UserDashboard } from './components/UserDashboard';
import { MessagesPanel, useUnreadMessages } from './components/Messages';

export const EXPIRED_NOTE = 'Your session expired — pick a persona again';

export function App() {
  const initial = useMemo(loadSession, []);
  const [session, setSession] = useState<Session | null>(initial.session);
  const [note, setNote] = useState<string | null>(initial.expired ? EXPIRED_NOTE : null);
  // The providers read the token through this ref, so a sign-out takes effect at once.
  const tokenRef = useRef<string | null>(initial.session?.token ?? null);

  const signIn = useCallback((s: Session) => {
    saveSession(s);
    tokenRef.current = s.token;
    setNote(null);
    setSession(s);
  }, []);

  /** Signs out the session holding `token`; a late 401 of an earlier session changes nothing. */
  const signOut = useCallback((expired: boolean, token: string) => {
    if (tokenRef.current !== token) return; // already signed out (several 401s in flight), or another session
    tokenRef.current = null;
    clearSession();
    setNote(expired ? EXPIRED_NOTE : null);
    setSession(null);
  }, []);

  return (
    <ToastProvider>
      {session ? (
        <SignedIn
          key={session.token}
          session={session}
          getToken={() => tokenRef.current}
          onExpired={() => signOut(true, session.token)}
          onSignOut={() => signOut(false, session.token)}
        />
      ) : (
        <PersonaPicker note={note} onSignIn={signIn} />
      )}
    </ToastProvider>
  );
}

interface SignedInProps {
  session: Session;
  getToken: () => string | null;
  onExpired: () => void;
  onSignOut: () => void;
}

function SignedIn({ session, getToken, onExpired, onSignOut }: SignedInProps) {
  const expiredRef = useRef(onExpired);
  expiredRef.current = onExpired;
  const getTokenRef = useRef(getToken);
  getTokenRef.current = getToken;

  const api = useMemo(
    () => createApi({ getToken: () => getTokenRef.current(), onUnauthorized: () => expiredRef.current() }),
    [],
  );
  const ctx = useMemo(() => ({ api, session }), [api, session]);

  // No silent stale page: when the token's exp passes, sign out even if nothing else noticed.
  useEffect(() => {
    if (session.exp === null) return;
    if (isExpired(session)) {
      expiredRef.current();
      return;
    }
    const ms = Math.min(session.exp * 1000 - Date.now() + 1000, 2 ** 31 - 1);
    const t = window.setTimeout(() => expiredRef.current(), ms);
    return () => window.clearTimeout(t);
  }, [session]);

  const stableGetToken = useCallback(() => getTokenRef.current(), []);
  const stableExpired = useCallback(() => expiredRef.current(), []);

  return (
    <EventUpdateProvider getToken={stableGetToken} onSessionExpired={stableExpired}>
      <AppProvider value={ctx}>
        <RecordTrace />
        <Shell onSignOut={onSignOut} />
      </AppProvider>
    </EventUpdateProvider>
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const unread = useUnreadMessages();
  return (
    <div className="app">
      <Header unreadMessages={unread.count} onSignOut={onSignOut} />
      <main className="layout">
        <div className="primary">
          <RoleDashboard />
        </div>
        <aside className="secondary" id="messages">
          <MessagesPanel unread={unread} />
        </aside>
      </main>
    </div>
  );
}

function RoleDashboard() {
  const { session } = useApp();
  switch (session.role) {
    case 'partner':
      return <PartnerDashboard />;
    case 'admin':
      return <AdminDashboard />;
    case 'user':
      return <UserDashboard />;
  }
}


declare global {
  interface Window {
    /** Set to an array before the app loads (a test does), and every record the tab gets is pushed to it. */
    __eventlineTrace?: { id: string; type: string; subject: string; version: number }[];
  }
}

/** The test hook: what this tab's stream delivered, in order (off unless a test asks for it). */
function RecordTrace() {
  const updates = useEventUpdates();
  useEffect(() => {
    const trace = window.__eventlineTrace;
    if (!Array.isArray(trace)) return;
    const push = (r?: ChangeRecord) => {
      if (r) trace.push({ id: r.id, type: r.type, subject: r.subject, version: r.aggregateversion });
    };
    const offs = [updates.onEventUpdate(push), updates.onMessageUpdate(push), updates.onNotificationUpdate(push)];
    return () => offs.forEach((off) => off());
  }, [updates.onEventUpdate, updates.onMessageUpdate, updates.onNotificationUpdate]);
  return null;
}
