// The state behind the messages panel: the caller's conversations, and the open one's messages.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConversationDto, MessageDto, Page, ReadStateDto } from '@eventline/client';
import { useApp, useToast } from '../context';
import { describeError, fetchAll, isoMicros } from '../util';

const PAGE = 50;

function sortConversations(list: ConversationDto[]): ConversationDto[] {
  return [...list].sort((a, b) => isoMicros(b.activityAt) - isoMicros(a.activityAt));
}

function mergeMessages(current: MessageDto[], incoming: MessageDto[]): MessageDto[] {
  const bySeq = new Map<number, MessageDto>();
  for (const m of current) bySeq.set(m.seq, m);
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The conversation's subject, else whom it is with. */
export function conversationTitle(c: ConversationDto, me: string): string {
  const others = c.participants.filter((p) => p !== me);
  return c.subject || (others.length ? `With ${others.join(', ')}` : 'Conversation');
}

/**
 * The caller's conversations, newest activity first, with their unread counts; `markRead` tells
 * the server (once per conversation and seq) and then has the unread total asked for again.
 */
export function useConversations(scheduleUnread: () => void) {
  const { api } = useApp();
  const [conversations, setConversations] = useState<ConversationDto[]>([]);
  const [listError, setListError] = useState<string | null>(null);
  // For the stream callback, which outlives renders.
  const convRef = useRef(conversations);
  convRef.current = conversations;
  const readSent = useRef(new Map<string, number>());
  const readSeen = useRef(new Map<string, number>());

  const convSeq = useRef(0);
  const load = useCallback(async () => {
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

  const upsert = useCallback((c: ConversationDto) => {
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
    void load();
  }, [load]);

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

  /** A message now in the conversation (sent here or pushed); `unread` is what it adds to the count. */
  const noteMessage = useCallback((m: MessageDto, unread: number) => {
    setConversations((prev) =>
      sortConversations(
        prev.map((c) =>
          c.id === m.conversationId && m.seq > c.lastSeq
            ? {
                ...c,
                lastSeq: m.seq,
                lastMessage: m,
                activityAt: m.sentAt,
                ...(unread ? { unreadCount: (c.unreadCount ?? 0) + unread } : {}),
              }
            : c,
        ),
      ),
    );
  }, []);

  const reloadTimer = useRef<number | undefined>(undefined);
  const scheduleReload = useCallback(() => {
    window.clearTimeout(reloadTimer.current);
    reloadTimer.current = window.setTimeout(() => void load(), 100);
  }, [load]);
  useEffect(() => () => window.clearTimeout(reloadTimer.current), []);

  /** A pushed message: one of an unknown conversation has the list loaded again (soon, once for a burst). */
  const notePushed = useCallback(
    (m: MessageDto, unread: number) => {
      const known = convRef.current.find((c) => c.id === m.conversationId);
      if (!known) scheduleReload();
      else if (m.seq > known.lastSeq) noteMessage(m, unread);
    },
    [scheduleReload, noteMessage],
  );

  /** The caller's read state of a conversation, as pushed: an older one than already seen is dropped. */
  const noteReadState = useCallback((s: ReadStateDto, version: number) => {
    if ((readSeen.current.get(s.conversationId) ?? -1) > version) return;
    readSeen.current.set(s.conversationId, version);
    setConversations((prev) => prev.map((c) => (c.id === s.conversationId ? { ...c, unreadCount: s.unreadCount } : c)));
  }, []);

  return { conversations, listError, load, upsert, markRead, noteMessage, notePushed, noteReadState };
}

/**
 * The open conversation: its id, its latest page of messages (marked read once loaded) and older
 * ones on demand. Answers for a conversation no longer open are dropped.
 */
export function useOpenConversation(markRead: (conversationId: string, upToSeq: number) => Promise<void>) {
  const { api } = useApp();
  const toast = useToast();
  const [openId, setOpenId] = useState<string | null>(null);
  const [messages, setMessages] = useState<MessageDto[]>([]);
  const [hasOlder, setHasOlder] = useState(false);
  const [loading, setLoading] = useState(false);
  // For the stream callback, which outlives renders.
  const openRef = useRef<string | null>(null);
  openRef.current = openId;

  const msgSeq = useRef(0);
  const load = useCallback(
    async (conversationId: string) => {
      const mine = ++msgSeq.current;
      setLoading(true);
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
        if (mine === msgSeq.current) setLoading(false);
      }
    },
    [api, markRead, toast],
  );

  async function loadOlder() {
    if (!openId || messages.length === 0) return;
    const before = messages[0].seq;
    try {
      const res = await api.get<Page<MessageDto>>(`/api/conversations/${openId}/messages?limit=${PAGE}&before=${before}`);
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
    void load(id);
  }

  function close() {
    openRef.current = null;
    setOpenId(null);
    setMessages([]);
  }

  /** Loads the open conversation again (after the stream's reset). */
  const reload = useCallback(() => {
    if (openRef.current) void load(openRef.current);
  }, [load]);

  const isOpen = useCallback((conversationId: string) => openRef.current === conversationId, []);

  /** A message of the open conversation, sent here or pushed. */
  const add = useCallback((m: MessageDto) => setMessages((prev) => mergeMessages(prev, [m])), []);

  return { openId, messages, hasOlder, loading, loadOlder, open, close, reload, isOpen, add };
}
