// Messages: the unread total, the caller's conversations, starting one, and the open conversation.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import {
  isMessagingRecord,
  type ConversationDto,
  type Count,
  type MessageDto,
  type Page,
  type ReadStateDto,
} from '@eventline/client';
import { useEventUpdates, usePolling } from '@eventline/client/react';
import { useApp, useToast } from '../context';
import { describeError, fetchAll, formatTime, isoMicros, uuid, type ErrorText } from '../util';

// ---------------------------------------------------------------------------------------------
// The unread total (GET /api/messages/unread-count), refreshed on every pushed messaging record.

export interface UnreadMessages {
  count: number;
  /** Ask the server again soon (after a local change such as marking a conversation read). */
  schedule: () => void;
}

export function useUnreadMessages(): UnreadMessages {
  const { api } = useApp();
  const { onMessageUpdate } = useEventUpdates();
  const [count, setCount] = useState(0);
  const seq = useRef(0);
  const timer = useRef<number | undefined>(undefined);

  const refresh = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const res = await api.get<Count>('/api/messages/unread-count');
      if (mine === seq.current && res.data) setCount(res.data.count);
    } catch {
      // tried again on the next record, reload or poll
    }
  }, [api]);

  const schedule = useCallback(() => {
    seq.current++; // an answer in flight may predate the change
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void refresh(), 150);
  }, [refresh]);

  useEffect(() => {
    void refresh();
    return () => window.clearTimeout(timer.current);
  }, [refresh]);

  useEffect(() => onMessageUpdate(() => schedule()), [onMessageUpdate, schedule]);

  usePolling({ enabled: true, interval: 10_000, onPoll: () => void refresh() });

  return { count, schedule };
}

// ---------------------------------------------------------------------------------------------

function sortConversations(list: ConversationDto[]): ConversationDto[] {
  return [...list].sort((a, b) => isoMicros(b.activityAt) - isoMicros(a.activityAt));
}

function mergeMessages(current: MessageDto[], incoming: MessageDto[]): MessageDto[] {
  const bySeq = new Map<number, MessageDto>();
  for (const m of current) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

function parseIds(text: string, me: string): string[] {
  const ids = text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s && s !== me);
  return [...new Set(ids)];
}

const PAGE = 50;

export function MessagesPanel({ unread }: { unread: UnreadMessages }) {
  const { api, session } = useApp();
  const toast = useToast();
  const { onMessageUpdate } = useEventUpdates();
  const me = session.sub;
  const scheduleUnread = unread.schedule;

  const [conversations, setConversations] = useState<ConversationDto[]>([]);
  const [listError, setListError] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [messages, setMessages] = useState<MessageDto[]>([]);
  const [hasOlder, setHasOlder] = useState(false);
  const [loadingMessages, setLoadingMessages] = useState(false);

  // Refs for the stream callback, which outlives renders.
  const openRef = useRef<string | null>(null);
  openRef.current = openId;
  const convRef = useRef(conversations);
  convRef.current = conversations;
  const readSent = useRef(new Map<string, number>());
  const readSeen = useRef(new Map<string, number>());

  // ---- conversations ----
  const convSeq = useRef(0);
  const loadConversations = useCallback(async () => {
    const mine = ++convSeq.current;
    try {
      const items = await fetchAll<ConversationDto>(api, '/api/conversations', 2);
      if (mine !== convSeq.current) return;
      // A message pushed while this was in flight may be newer than what the server answered.
      setConversations((prev) => {
        const held = new Map(prev.map((c) => [c.id, c]));
        const merged = items.map((c) => {
          const h = held.get(c.id);
          return h && h.lastSeq > c.lastSeq
            ? { ...c, lastSeq: h.lastSeq, lastMessage: h.lastMessage, activityAt: h.activityAt }
            : c;
        });
        return sortConversations(merged);
      });
      setListError(null);
    } catch (e) {
      if (mine === convSeq.current) setListError(describeError(e).message);
    }
  }, [api]);

  const upsertConversation = useCallback((c: ConversationDto) => {
    setConversations((prev) => {
      const i = prev.findIndex((x) => x.id === c.id);
      if (i < 0) return sortConversations([{ unreadCount: 0, ...c }, ...prev]);
      const cur = prev[i];
      if (cur.lastSeq > c.lastSeq) return prev;
      const next = [...prev];
      next[i] = { ...cur, ...c, unreadCount: c.unreadCount ?? cur.unreadCount };
      return sortConversations(next);
    });
  }, []);

  useEffect(() => {
    void loadConversations();
  }, [loadConversations]);

  // ---- the open conversation ----
  const markRead = useCallback(
    async (conversationId: string, upToSeq: number) => {
      if (upToSeq <= 0 || (readSent.current.get(conversationId) ?? 0) >= upToSeq) return;
      readSent.current.set(conversationId, upToSeq);
      setConversations((prev) => prev.map((c) => (c.id === conversationId ? { ...c, unreadCount: 0 } : c)));
      try {
        const res = await api.post<ReadStateDto>(`/api/conversations/${conversationId}/read`, { upToSeq });
        if (res.data) {
          setConversations((prev) =>
            prev.map((c) => (c.id === conversationId ? { ...c, unreadCount: res.data.unreadCount } : c)),
          );
        }
      } catch {
        readSent.current.delete(conversationId);
      } finally {
        scheduleUnread();
      }
    },
    [api, scheduleUnread],
  );

  const msgSeq = useRef(0);
  const loadMessages = useCallback(
    async (conversationId: string) => {
      const mine = ++msgSeq.current;
      setLoadingMessages(true);
      try {
        const res = await api.get<Page<MessageDto>>(`/api/conversations/${conversationId}/messages?limit=${PAGE}`);
        if (mine !== msgSeq.current || openRef.current !== conversationId) return;
        const items = res.data?.items ?? [];
        setHasOlder(res.data?.nextCursor != null);
        setMessages((prev) => mergeMessages(prev.filter((m) => m.conversationId === conversationId), items));
        const top = items.reduce((max, m) => Math.max(max, m.seq), 0);
        void markRead(conversationId, top);
      } catch (e) {
        if (mine === msgSeq.current) toast(`Could not load the conversation: ${describeError(e).message}`, 'error');
      } finally {
        if (mine === msgSeq.current) setLoadingMessages(false);
      }
    },
    [api, markRead, toast],
  );

  async function loadOlder() {
    if (!openId || messages.length === 0) return;
    const before = messages[0].seq;
    try {
      const res = await api.get<Page<MessageDto>>(
        `/api/conversations/${openId}/messages?limit=${PAGE}&before=${before}`,
      );
      if (openRef.current !== openId) return;
      setHasOlder(res.data?.nextCursor != null);
      setMessages((prev) => mergeMessages(prev, res.data?.items ?? []));
    } catch (e) {
      toast(`Could not load older messages: ${describeError(e).message}`, 'error');
    }
  }

  function open(id: string) {
    if (openId === id) return;
    openRef.current = id;
    setOpenId(id);
    setMessages([]);
    setHasOlder(false);
    void loadMessages(id);
  }

  // ---- pushed records ----
  const reloadTimer = useRef<number | undefined>(undefined);
  const scheduleConversationReload = useCallback(() => {
    window.clearTimeout(reloadTimer.current);
    reloadTimer.current = window.setTimeout(() => void loadConversations(), 100);
  }, [loadConversations]);
  useEffect(() => () => window.clearTimeout(reloadTimer.current), []);

  useEffect(
    () =>
      onMessageUpdate((r) => {
        if (!r) {
          void loadConversations();
          if (openRef.current) void loadMessages(openRef.current);
          return;
        }
        if (!isMessagingRecord(r)) return;
        switch (r.type) {
          case 'conversation.created':
            upsertConversation(r.data);
            break;
          case 'message.sent': {
            const m = r.data;
            const isOpen = openRef.current === m.conversationId;
            const known = convRef.current.find((c) => c.id === m.conversationId);
            if (!known) {
              scheduleConversationReload();
            } else if (m.seq > known.lastSeq) {
              setConversations((prev) =>
                sortConversations(
                  prev.map((c) =>
                    c.id === m.conversationId && m.seq > c.lastSeq
                      ? {
                          ...c,
                          lastSeq: m.seq,
                          lastMessage: m,
                          activityAt: m.sentAt,
                          unreadCount: (c.unreadCount ?? 0) + (m.senderId !== me && !isOpen ? 1 : 0),
                        }
                      : c,
                  ),
                ),
              );
            }
            if (isOpen) {
              setMessages((prev) => mergeMessages(prev, [m]));
              if (m.senderId !== me) void markRead(m.conversationId, m.seq);
            }
            break;
          }
          case 'conversation.read': {
            const s = r.data;
            if (s.userId !== me || (readSeen.current.get(s.conversationId) ?? -1) > r.aggregateversion) break;
            readSeen.current.set(s.conversationId, r.aggregateversion);
            setConversations((prev) =>
              prev.map((c) => (c.id === s.conversationId ? { ...c, unreadCount: s.unreadCount } : c)),
            );
            break;
          }
        }
      }),
    [onMessageUpdate, loadConversations, loadMessages, upsertConversation, scheduleConversationReload, markRead, me],
  );

  // ---- sending ----
  const [draft, setDraft] = useState('');
  const [sending, setSending] = useState(false);

  async function send(ev: FormEvent) {
    ev.preventDefault();
    const body = draft.trim();
    if (!openId || !body) return;
    setSending(true);
    try {
      const res = await api.post<MessageDto>(`/api/conversations/${openId}/messages`, { body }, { idempotencyKey: uuid() });
      const m = res.data;
      setDraft('');
      setMessages((prev) => mergeMessages(prev, [m]));
      setConversations((prev) =>
        sortConversations(
          prev.map((c) =>
            c.id === m.conversationId && m.seq > c.lastSeq
              ? { ...c, lastSeq: m.seq, lastMessage: m, activityAt: m.sentAt }
              : c,
          ),
        ),
      );
    } catch (e) {
      toast(`Message not sent: ${describeError(e).message}`, 'error');
    } finally {
      setSending(false);
    }
  }

  // ---- starting a conversation ----
  const [to, setTo] = useState('');
  const [subject, setSubject] = useState('');
  const [firstBody, setFirstBody] = useState('');
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<ErrorText | null>(null);

  async function start(ev: FormEvent) {
    ev.preventDefault();
    const participantIds = parseIds(to, me);
    if (participantIds.length === 0) {
      setStartError({ message: 'Enter at least one other user id.', fields: [], status: null });
      return;
    }
    setStarting(true);
    setStartError(null);
    try {
      const created = await api.post<ConversationDto>(
        '/api/conversations',
        { participantIds, ...(subject.trim() ? { subject: subject.trim() } : {}) },
        { idempotencyKey: uuid() },
      );
      const conv = created.data;
      upsertConversation({ ...conv, unreadCount: conv.unreadCount ?? 0 });
      const body = firstBody.trim();
      if (body) {
        const sent = await api.post<MessageDto>(
          `/api/conversations/${conv.id}/messages`,
          { body },
          { idempotencyKey: uuid() },
        );
        const m = sent.data;
        upsertConversation({ ...conv, lastSeq: m.seq, lastMessage: m, activityAt: m.sentAt });
      }
      setTo('');
      setSubject('');
      setFirstBody('');
      openRef.current = null;
      open(conv.id);
    } catch (e) {
      setStartError(describeError(e));
    } finally {
      setStarting(false);
    }
  }

  const openConv = conversations.find((c) => c.id === openId) ?? null;

  function title(c: ConversationDto): string {
    const others = c.participants.filter((p) => p !== me);
    return c.subject || (others.length ? `With ${others.join(', ')}` : 'Conversation');
  }

  return (
    <section className="panel messages" data-testid="messages-panel" aria-labelledby="messages-h">
      <h2 id="messages-h">
        Messages <span className="count-pill" data-testid="unread-messages-count">{unread.count}</span>
        <span className="sr-only"> unread</span>
      </h2>

      <form onSubmit={start} noValidate className="stack new-conversation" aria-label="New conversation">
        <h3>New conversation</h3>
        <label htmlFor="new-conversation-to">To (user ids, comma-separated)</label>
        <input
          id="new-conversation-to"
          data-testid="new-conversation-to"
          placeholder="e.g. pat, uma"
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
        <label htmlFor="new-conversation-subject">Subject (optional)</label>
        <input
          id="new-conversation-subject"
          data-testid="new-conversation-subject"
          value={subject}
          onChange={(e) => setSubject(e.target.value)}
        />
        <label htmlFor="new-conversation-body">Message</label>
        <textarea
          id="new-conversation-body"
          data-testid="new-conversation-body"
          rows={3}
          value={firstBody}
          onChange={(e) => setFirstBody(e.target.value)}
        />
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
              onClick={() => open(c.id)}
            >
              <span className="conversation-title">{title(c)}</span>
              {(c.unreadCount ?? 0) > 0 && <span className="badge">{c.unreadCount}</span>}
              <span className="conversation-preview">
                {c.lastMessage ? `${c.lastMessage.senderName}: ${c.lastMessage.body}` : 'No messages yet'}
              </span>
              <span className="conversation-time">{formatTime(c.activityAt)}</span>
            </button>
          </li>
        ))}
      </ul>

      {openId && (
        <div className="thread" data-testid="open-conversation" data-conversation-id={openId}>
          <div className="thread-head">
            <strong>{openConv ? title(openConv) : 'Conversation'}</strong>
            <button
              type="button"
              className="link-btn"
              onClick={() => {
                openRef.current = null;
                setOpenId(null);
                setMessages([]);
              }}
            >
              Close
            </button>
          </div>
          {openConv && <p className="muted small">Participants: {openConv.participants.join(', ')}</p>}
          {hasOlder && (
            <button type="button" className="link-btn" onClick={() => void loadOlder()}>
              Load older messages
            </button>
          )}
          <ol className="message-list" aria-live="polite">
            {loadingMessages && messages.length === 0 && <li className="empty">Loading…</li>}
            {!loadingMessages && messages.length === 0 && <li className="empty">No messages yet.</li>}
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
        </div>
      )}
    </section>
  );
}
