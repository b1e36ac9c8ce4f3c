/**
 * Sends what the outbox holds, in order per conversation, one message in flight per conversation, with its
 * clientMsgId, until acknowledged. Only RATE_LIMITED, INTERNAL and getting no answer are retried; other
 * refusals mark the message failed with the reason. Attachments are uploaded first; an upload cut by a
 * restart starts again from the file kept on disk.
 */
import { EventEmitter } from 'node:events';
import { ProtocolError, RETRYABLE_CODES, type ErrorBody, type OpResult } from '../../../protocol/index.js';
import { Backoff } from './backoff.js';
import { NoAnswerError, type ServerConnection } from './server-connection.js';

export interface OutboxAttachment {
  /** The file copied into the account's directory when the message was composed. */
  path: string;
  name: string;
  mime: string;
  size: number;
  fileId?: string;
}

export interface OutboxItem {
  clientMsgId: string;
  convId: string;
  kind: string;
  body: Record<string, unknown>;
  mentions?: string[];
  replyTo?: number;
  attachment?: OutboxAttachment;
}

export interface OutboxStore {
  /** Conversations with queued (not failed) messages. */
  queuedConversations(): string[];
  /** The oldest queued message of the conversation. */
  nextQueued(convId: string): OutboxItem | null;
  setUploaded(clientMsgId: string, fileId: string): void;
  markSent(clientMsgId: string, ack: OpResult<'send'>): void;
  markFailed(clientMsgId: string, error: ErrorBody): void;
  countAttempt(clientMsgId: string): void;
}

export type Uploader = (item: OutboxItem & { attachment: OutboxAttachment }, onProgress: (sent: number, total: number) => void) => Promise<string>;

export interface OutboxSenderEvents {
  sent: [{ clientMsgId: string; convId: string; ack: OpResult<'send'> }];
  failed: [{ clientMsgId: string; convId: string; error: ErrorBody }];
  progress: [{ clientMsgId: string; convId: string; sentBytes: number; totalBytes: number }];
}

export class OutboxSender extends EventEmitter<OutboxSenderEvents> {
  private readonly active = new Set<string>();
  private stopped = false;

  constructor(
    private readonly conn: ServerConnection,
    private readonly store: OutboxStore,
    private readonly upload: Uploader,
    private readonly retry = { baseMs: 500, capMs: 30_000 },
  ) {
    super();
  }

  /** Starts a sender for every conversation with queued messages (call when online, or after queueing). */
  kick(): void {
    if (this.stopped || !this.conn.online) return;
    for (const convId of this.store.queuedConversations()) {
      if (!this.active.has(convId)) void this.drain(convId);
    }
  }

  stop(): void {
    this.stopped = true;
  }

  /** Resolves when nothing is in flight (used before quitting for an update). */
  async idle(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.active.size > 0) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  private async drain(convId: string): Promise<void> {
    this.active.add(convId);
    const backoff = new Backoff(this.retry);
    try {
      while (!this.stopped && this.conn.online) {
        const item = this.store.nextQueued(convId);
        if (!item) return;
        const outcome = await this.sendOne(item);
        if (outcome === 'done') {
          backoff.reset();
          continue;
        }
        // Retryable: wait, then try the same message again (order is kept).
        const wait = outcome === 'retry' ? backoff.next() : outcome.afterMs;
        await new Promise((r) => setTimeout(r, wait));
      }
    } finally {
      this.active.delete(convId);
    }
  }

  private async sendOne(item: OutboxItem): Promise<'done' | 'retry' | { afterMs: number }> {
    this.store.countAttempt(item.clientMsgId);
    try {
      let body = item.body;
      if (item.attachment) {
        let fileId = item.attachment.fileId;
        if (!fileId) {
          fileId = await this.upload({ ...item, attachment: item.attachment }, (sentBytes, totalBytes) =>
            this.emit('progress', { clientMsgId: item.clientMsgId, convId: item.convId, sentBytes, totalBytes }),
          );
          this.store.setUploaded(item.clientMsgId, fileId);
        }
        body = { ...body, fileId };
      }
      const ack = await this.conn.request('send', {
        convId: item.convId,
        clientMsgId: item.clientMsgId,
        kind: item.kind,
        body,
        ...(item.mentions ? { mentions: item.mentions } : {}),
        ...(item.replyTo !== undefined ? { replyTo: item.replyTo } : {}),
      });
      this.store.markSent(item.clientMsgId, ack);
      this.emit('sent', { clientMsgId: item.clientMsgId, convId: item.convId, ack });
      return 'done';
    } catch (error) {
      if (error instanceof NoAnswerError) return 'retry';
      if (error instanceof ProtocolError) {
        if (error.code === 'RATE_LIMITED') return { afterMs: Math.max(50, Number(error.extra.retryAfterMs ?? 1000)) };
        if (RETRYABLE_CODES.has(error.code)) return 'retry';
        // UNAUTHENTICATED on upload means the session ended: keep the message queued for the next sign-in.
        if (error.code === 'UNAUTHENTICATED') return 'retry';
        const reason: ErrorBody = { code: error.code, message: error.message };
        this.store.markFailed(item.clientMsgId, reason);
        this.emit('failed', { clientMsgId: item.clientMsgId, convId: item.convId, error: reason });
        return 'done';
      }
      // A local failure (the attachment's file vanished): nothing a retry can mend.
      const reason: ErrorBody = { code: 'BAD_REQUEST', message: (error as Error).message };
      this.store.markFailed(item.clientMsgId, reason);
      this.emit('failed', { clientMsgId: item.clientMsgId, convId: item.convId, error: reason });
      return 'done';
    }
  }
}
