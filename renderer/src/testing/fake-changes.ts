/**
 * The fake api's edits and recalls, as main's outbox handles them: queued like sends (offline too), shown at
 * once as the message's pending `change` (a pending edit already applied), then acknowledged, or refused when
 * told to (`refuseNext`) and shown `failed` with the acknowledged message; retried or discarded by the
 * change's clientMsgId.
 */
import type { ApiErrorCode, MessageView, PendingChangeView } from '../../../preload/api-types';

export interface FakeChangesHost {
  selfId(): string;
  /** Whether changes can reach the "server" now; `settleAll` is called when it comes back. */
  online(): boolean;
  /** Acknowledge (or refuse) after this many ms; null: only `settleAll` does. */
  delayMs: number | null;
  message(convId: string, seq: number): MessageView | undefined;
  /** Stores the message as shown and announces it (message:updated, and the preview when it is the last). */
  show(message: MessageView): void;
  nextId(): number;
  error(code: ApiErrorCode, message?: string): unknown;
}

export interface FakeChanges {
  queue(kind: 'edit' | 'recall', convId: string, seq: number, text?: string): { clientMsgId: string };
  has(clientMsgId: string): boolean;
  retry(clientMsgId: string): void;
  discard(clientMsgId: string): void;
  refuseNext(code: ApiErrorCode, message: string): void;
  /** The connection is back: what waited goes out. */
  settleAll(): void;
}

interface FakeChange {
  clientMsgId: string;
  kind: 'edit' | 'recall';
  text: string;
  /** The acknowledged message. */
  original: MessageView;
  status: 'pending' | 'failed';
  refusal: { code: ApiErrorCode; message: string } | null;
}

export function createFakeChanges(host: FakeChangesHost): FakeChanges {
  const changes = new Map<string, FakeChange>();
  let nextRefusal: FakeChange['refusal'] = null;

  const viewOf = (change: FakeChange): MessageView => {
    const { original } = change;
    const shown: PendingChangeView = { kind: change.kind, clientMsgId: change.clientMsgId, status: change.status };
    if (change.status === 'failed' && change.refusal) return { ...original, change: { ...shown, failure: change.refusal } };
    if (change.status === 'pending' && change.kind === 'edit') return { ...original, edited: true, body: { text: change.text }, change: shown } as MessageView;
    return { ...original, change: shown };
  };

  const settle = (change: FakeChange) => {
    if (changes.get(change.clientMsgId) !== change || change.status !== 'pending' || !host.online()) return;
    if (change.refusal) {
      change.status = 'failed';
      host.show(viewOf(change));
      return;
    }
    changes.delete(change.clientMsgId);
    const { original } = change;
    host.show(change.kind === 'edit' ? ({ ...original, edited: true, body: { text: change.text } } as MessageView) : ({ ...original, recalled: true, body: {} } as MessageView));
  };

  const schedule = (change: FakeChange) => {
    if (host.delayMs !== null) setTimeout(() => settle(change), host.delayMs);
  };

  return {
    queue(kind, convId, seq, text = '') {
      const m = host.message(convId, seq);
      if (!m || m.recalled) throw host.error('NOT_FOUND');
      if (kind === 'edit' && m.kind !== 'text') throw host.error('BAD_REQUEST', 'only text messages can be edited');
      // A newer change of the same message supersedes an older one (a failed edit, say).
      let original = m;
      for (const [id, other] of changes) {
        if (other.original.convId === convId && other.original.seq === seq) {
          original = other.original;
          changes.delete(id);
        }
      }
      const refusal = nextRefusal ?? (m.from !== host.selfId() ? { code: 'FORBIDDEN' as const, message: 'not your message' } : null);
      nextRefusal = null;
      const change: FakeChange = { clientMsgId: `change-${host.nextId()}`, kind, text, original, status: 'pending', refusal };
      changes.set(change.clientMsgId, change);
      host.show(viewOf(change));
      schedule(change);
      return { clientMsgId: change.clientMsgId };
    },
    has: (clientMsgId) => changes.has(clientMsgId),
    retry(clientMsgId) {
      const change = changes.get(clientMsgId);
      if (!change || change.status !== 'failed') return;
      change.status = 'pending';
      // Told to refuse once: a retry goes through.
      change.refusal = null;
      host.show(viewOf(change));
      schedule(change);
    },
    discard(clientMsgId) {
      const change = changes.get(clientMsgId);
      if (!change) return;
      changes.delete(clientMsgId);
      host.show(change.original);
    },
    refuseNext(code, message) {
      nextRefusal = { code, message };
    },
    settleAll() {
      for (const change of [...changes.values()]) settle(change);
    },
  };
}
