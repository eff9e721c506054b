import { useEventUpdates } from '@eventline/client/react';
import type { ConnectionState, StreamStatus } from '@eventline/client';
import { useApp } from '../context';
import { NotificationBell } from './Notifications';

const LABEL: Record<ConnectionState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  degraded: 'degraded',
  paused: 'paused',
  closed: 'offline',
};

const TITLE: Record<ConnectionState, string> = {
  connecting: 'Opening the live stream',
  live: 'Live: changes appear as they happen',
  reconnecting: 'The live stream dropped; reconnecting',
  degraded: 'The live stream is down; checking for changes every few seconds',
  paused: 'Paused while every tab is hidden; resumes when you come back',
  closed: 'Not connected',
};

const REASON: Record<NonNullable<StreamStatus['reason']>, string> = {
  unreachable: 'the gateway cannot be reached',
  muted: 'connected, but nothing arrives (a buffering proxy?)',
  silent: 'the stream went silent; reopening it',
};

function title(s: StreamStatus): string {
  const why = s.reason ? ` (${REASON[s.reason]})` : '';
  const shared = s.sharing === 'solo' ? `this tab's own stream${s.soloReason ? `: ${s.soloReason}` : ''}` : `shared by this browser's tabs (${s.sharing})`;
  return `${TITLE[s.state]}${why}; ${shared}`;
}

export function ConnectionIndicator() {
  const { connectionState, status, lastReady } = useEventUpdates();
  return (
    <span
      className={`conn conn-${connectionState}`}
      data-testid="connection-indicator"
      data-state={connectionState}
      data-reason={status.reason ?? undefined}
      data-sharing={status.sharing}
      data-solo-reason={status.soloReason ?? undefined}
      data-resumed={lastReady ? String(lastReady.resumed) : undefined}
      title={title(status)}
      aria-live="polite"
    >
      <span className="conn-dot" aria-hidden="true" />
      {LABEL[connectionState]}
    </span>
  );
}

export function Header({ unreadMessages, onSignOut }: { unreadMessages: number; onSignOut: () => void }) {
  const { session } = useApp();
  return (
    <header className="topbar">
      <div className="brand">Eventline</div>
      <ConnectionIndicator />
      <div className="topbar-right">
        <span className="whoami" data-testid="whoami">
          <span className="whoami-name">{session.name}</span> <span className="role-tag">{session.role}</span>
        </span>
        <NotificationBell />
        <a className="msg-link" href="#messages" aria-label={`Messages, ${unreadMessages} unread`}>
          Messages{unreadMessages > 0 && <span className="badge">{unreadMessages}</span>}
        </a>
        <button type="button" className="link-btn" data-testid="signout" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
