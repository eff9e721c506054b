import { useEventUpdates } from '@eventline/client/react';
import type { ConnectionState } from '@eventline/client';
import { useApp } from '../context';
import { NotificationBell } from './Notifications';

const LABEL: Record<ConnectionState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  polling: 'polling',
  closed: 'offline',
};

const TITLE: Record<ConnectionState, string> = {
  connecting: 'Opening the live stream',
  live: 'Live: changes appear as they happen',
  reconnecting: 'The live stream dropped; reconnecting',
  polling: 'The live stream is down; checking for changes every few seconds',
  closed: 'Not connected',
};

export function ConnectionIndicator() {
  const { connectionState, lastReady } = useEventUpdates();
  return (
    <span
      className={`conn conn-${connectionState}`}
      data-testid="connection-indicator"
      data-state={connectionState}
      data-resumed={lastReady ? String(lastReady.resumed) : undefined}
      title={TITLE[connectionState]}
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
