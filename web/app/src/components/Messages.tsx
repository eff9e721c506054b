// Messages: the unread total, the caller's conversations, starting one, and the open conversation.
import { useEffect } from 'react';
import { isMessagingRecord, type MessageDto } from '@eventline/client';
import { useEventUpdates, usePolling } from '@eventline/client/react';
import { useApp } from '../context';
import { useServerCount } from '../counts';
import { uuid } from '../util';
import { ConversationList, NewConversationForm, Thread, useMessageDraft } from './Conversation';
import { useConversations, useOpenConversation } from './conversations';

// ---------------------------------------------------------------------------------------------
// The unread total (GET /api/messages/unread-count), refreshed on every pushed messaging record.

export interface UnreadMessages {
  count: number;
  /** Ask the server again soon (after a local change such as marking a conversation read). */
  schedule: () => void;
}

export function useUnreadMessages(): UnreadMessages {
  const { onMessageUpdate } = useEventUpdates();
  const { count, refresh, schedule } = useServerCount('/api/messages/unread-count');

  useEffect(() => onMessageUpdate(() => schedule()), [onMessageUpdate, schedule]);

  usePolling({ enabled: true, interval: 10_000, onPoll: () => void refresh() });

  return { count, schedule };
}

// ---------------------------------------------------------------------------------------------

export function MessagesPanel({ unread }: { unread: UnreadMessages }) {
  const { api, session } = useApp();
  const { onMessageUpdate } = useEventUpdates();
  const me = session.sub;
  const list = useConversations(unread.schedule);
  const thread = useOpenConversation(list.markRead);
  const { load: loadConversations, upsert, notePushed, noteReadState, markRead } = list;
  const { reload: reloadThread, isOpen, add } = thread;

  useEffect(
    () =>
      onMessageUpdate((r) => {
        if (!r) {
          void loadConversations();
          reloadThread();
          return;
        }
        if (!isMessagingRecord(r)) return;
        switch (r.type) {
          case 'conversation.created':
            upsert(r.data);
            break;
          case 'message.sent': {
            const m = r.data;
            const open = isOpen(m.conversationId);
            notePushed(m, m.senderId !== me && !open ? 1 : 0);
            if (open) {
              add(m);
              if (m.senderId !== me) void markRead(m.conversationId, m.seq);
            }
            break;
          }
          case 'conversation.read':
            if (r.data.userId === me) noteReadState(r.data, r.aggregateversion);
            break;
        }
      }),
    [onMessageUpdate, loadConversations, reloadThread, upsert, notePushed, noteReadState, markRead, isOpen, add, me],
  );

  const draft = useMessageDraft(async (body) => {
    const openId = thread.openId;
    if (!openId) return;
    const res = await api.post<MessageDto>(`/api/conversations/${openId}/messages`, { body }, { idempotencyKey: uuid() });
    const m = res.data;
    add(m);
    list.noteMessage(m, 0);
  });

  return (
    <section className="panel messages" data-testid="messages-panel" aria-labelledby="messages-h">
      <h2 id="messages-h">
        Messages <span className="count-pill" data-testid="unread-messages-count">{unread.count}</span>
        <span className="sr-only"> unread</span>
      </h2>

      <NewConversationForm upsert={upsert} open={thread.open} />

      <ConversationList
        conversations={list.conversations}
        listError={list.listError}
        openId={thread.openId}
        onOpen={thread.open}
      />

      {thread.openId && (
        <Thread
          openId={thread.openId}
          conversation={list.conversations.find((c) => c.id === thread.openId) ?? null}
          messages={thread.messages}
          hasOlder={thread.hasOlder}
          loading={thread.loading}
          onClose={thread.close}
          onLoadOlder={() => void thread.loadOlder()}
          draft={draft}
        />
      )}
    </section>
  );
}
