// The parts of the messages panel: starting a conversation, the list, and the open conversation.
import { useState, type FormEvent } from 'react';
import type { ConversationDto, MessageDto } from '@eventline/client';
import { useApp, useToast } from '../context';
import { describeError, formatTime, uuid, type ErrorText } from '../util';
import { conversationTitle } from './conversations';
import { Field } from './parts';

function parseIds(text: string, me: string): string[] {
  const ids = text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s && s !== me);
  return [...new Set(ids)];
}

const NO_DRAFT = { to: '', subject: '', body: '' };

/** Creates a conversation (and sends its first message, if any), lists it with `upsert`, then opens it. */
export function NewConversationForm({
  upsert,
  open,
}: {
  upsert: (c: ConversationDto) => void;
  open: (conversationId: string) => void;
}) {
  const { api, session } = useApp();
  const [draft, setDraft] = useState(NO_DRAFT);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<ErrorText | null>(null);
  const set = (field: keyof typeof NO_DRAFT) => (value: string) => setDraft((d) => ({ ...d, [field]: value }));

  async function start(ev: FormEvent) {
    ev.preventDefault();
    const participantIds = parseIds(draft.to, session.sub);
    if (participantIds.length === 0) {
      setStartError({ message: 'Enter at least one other user id.', fields: [], status: null });
      return;
    }
    setStarting(true);
    setStartError(null);
    try {
      const subject = draft.subject.trim();
      const created = await api.post<ConversationDto>(
        '/api/conversations',
        { participantIds, ...(subject ? { subject } : {}) },
        { idempotencyKey: uuid() },
      );
      const conv = created.data;
      upsert({ ...conv, unreadCount: conv.unreadCount ?? 0 });
      const body = draft.body.trim();
      if (body) {
        const sent = await api.post<MessageDto>(`/api/conversations/${conv.id}/messages`, { body }, { idempotencyKey: uuid() });
        const m = sent.data;
        upsert({ ...conv, lastSeq: m.seq, lastMessage: m, activityAt: m.sentAt });
      }
      setDraft(NO_DRAFT);
      open(conv.id);
    } catch (e) {
      setStartError(describeError(e));
    } finally {
      setStarting(false);
    }
  }

  return (
    <form onSubmit={start} noValidate className="stack new-conversation" aria-label="New conversation">
      <h3>New conversation</h3>
      <Field
        id="new-conversation-to"
        label="To (user ids, comma-separated)"
        placeholder="e.g. pat, uma"
        value={draft.to}
        onChange={set('to')}
      />
      <Field id="new-conversation-subject" label="Subject (optional)" value={draft.subject} onChange={set('subject')} />
      <Field id="new-conversation-body" label="Message" rows={3} value={draft.body} onChange={set('body')} />
      {startError && (
        <div className="notice notice-error" role="alert" data-testid="new-conversation-error">
          {startError.message}
          {startError.fields.length > 0 && (
            <ul>
              {startError.fields.map((f) => (
                <li key={f.field + f.message}>
                  {f.field}: {f.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="form-actions">
        <button type="submit" className="primary-btn" data-testid="new-conversation-send" disabled={starting}>
          {starting ? 'Sending…' : 'Start conversation'}
        </button>
      </div>
    </form>
  );
}

export function ConversationList({
  conversations,
  listError,
  openId,
  onOpen,
}: {
  conversations: ConversationDto[];
  listError: string | null;
  openId: string | null;
  onOpen: (conversationId: string) => void;
}) {
  const { session } = useApp();
  return (
    <>
      {listError && <p className="notice notice-error">{listError}</p>}
      <ul className="conversation-list">
        {conversations.length === 0 && !listError && <li className="empty">No conversations yet.</li>}
        {conversations.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className={`conversation${c.id === openId ? ' open' : ''}${(c.unreadCount ?? 0) > 0 ? ' unread' : ''}`}
              data-testid="conversation-item"
              data-conversation-id={c.id}
              data-unread={c.unreadCount ?? 0}
              aria-current={c.id === openId ? 'true' : undefined}
              onClick={() => onOpen(c.id)}
            >
              <span className="conversation-title">{conversationTitle(c, session.sub)}</span>
              {(c.unreadCount ?? 0) > 0 && <span className="badge">{c.unreadCount}</span>}
              <span className="conversation-preview">
                {c.lastMessage ? `${c.lastMessage.senderName}: ${c.lastMessage.body}` : 'No messages yet'}
              </span>
              <span className="conversation-time">{formatTime(c.activityAt)}</span>
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The open conversation: its head, its messages (older ones on demand) and the form to write one. */
export function Thread({
  openId,
  conversation,
  messages,
  hasOlder,
  loading,
  onClose,
  onLoadOlder,
  draft,
}: {
  openId: string;
  /** The open conversation as listed, null while it is not (yet). */
  conversation: ConversationDto | null;
  messages: MessageDto[];
  hasOlder: boolean;
  loading: boolean;
  onClose: () => void;
  onLoadOlder: () => void;
  draft: ReturnType<typeof useMessageDraft>;
}) {
  const { session } = useApp();
  const me = session.sub;
  return (
    <div className="thread" data-testid="open-conversation" data-conversation-id={openId}>
      <div className="thread-head">
        <strong>{conversation ? conversationTitle(conversation, me) : 'Conversation'}</strong>
        <button type="button" className="link-btn" onClick={onClose}>
          Close
        </button>
      </div>
      {conversation && <p className="muted small">Participants: {conversation.participants.join(', ')}</p>}
      {hasOlder && (
        <button type="button" className="link-btn" onClick={onLoadOlder}>
          Load older messages
        </button>
      )}
      <ol className="message-list" aria-live="polite">
        {loading && messages.length === 0 && <li className="empty">Loading…</li>}
        {!loading && messages.length === 0 && <li className="empty">No messages yet.</li>}
        {messages.map((m) => (
          <li
            key={m.id}
            className={`message${m.senderId === me ? ' mine' : ''}`}
            data-testid="message-item"
            data-seq={m.seq}
            data-sender-id={m.senderId}
          >
            <span className="message-meta">
              {m.senderId === me ? 'You' : m.senderName || m.senderId} · {formatTime(m.sentAt)}
            </span>
            <span className="message-body">{m.body}</span>
          </li>
        ))}
      </ol>
      <MessageForm {...draft} />
    </div>
  );
}

/**
 * The message being written and its sending: kept by the panel, so a draft outlives closing the
 * conversation. `onSend` throws when the message was not sent; the draft is kept then.
 */
export function useMessageDraft(onSend: (body: string) => Promise<void>) {
  const toast = useToast();
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);

  async function send(ev: FormEvent) {
    ev.preventDefault();
    const body = draft.trim();
    if (!body) return;
    setSending(true);
    try {
      await onSend(body);
      setDraft('');
    } catch (e) {
      toast(`Message not sent: ${describeError(e).message}`, 'error');
    } finally {
      setSending(false);
    }
  }

  return { draft, setDraft, sending, send };
}

function MessageForm({ draft, setDraft, sending, send }: ReturnType<typeof useMessageDraft>) {
  return (
    <form className="message-form" onSubmit={send} noValidate>
      <label htmlFor="message-input" className="sr-only">
        Message
      </label>
      <input
        id="message-input"
        data-testid="message-input"
        placeholder="Write a message…"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
      />
      <button type="submit" data-testid="message-send" disabled={sending || !draft.trim()}>
        Send
      </button>
    </form>
  );
}
