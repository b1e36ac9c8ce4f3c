/**
 * Sends what the outbox holds — messages, edits (`send` of kind edit) and recalls (the `recall` op, named with the
 * item's clientMsgId so a retry is answered with the first answer) — in order per conversation, one in flight per
 * conversation, with its clientMsgId, until acknowledged. Only RATE_LIMITED, INTERNAL and getting no answer are retried; other
 * refusals mark the message failed with the reason. Attachments are uploaded first; an upload cut by a
 * restart starts again from the copy kept in the account's directory.
 */
import { EventEmitter } from 'node:events';
import { NOT_CONTACTS_REASON, ProtocolError, RETRYABLE_CODES, UPLOAD_QUOTA_REASON, isQuotaRefusal } from '../../../protocol/index.js';
import type { StoreOutbox } from '../store/store.js';
import type { OutboxItem, SendAck, StoredMessage } from '../store/types.js';
import { Backoff } from './backoff.js';
import { NoAnswerError, type ServerConnection } from './server-connection.js';

export type OutboxPort = Pick<StoreOutbox, 'nextSendable' | 'markSending' | 'requeue' | 'markFailed' | 'setUploadedFile' | 'discard'> & {
  markSent(clientMsgId: string, ack: SendAck): StoredMessage | null;
};

/** Uploads an item's attachment; returns the server's fileId. */
export type Uploader = (item: OutboxItem, onProgress: (sentBytes: number, totalBytes: number) => void) => Promise<string>;

export interface OutboxSenderEvents {
  /** The message changed: acknowledged (sent), failed, or its attachment uploaded; for an edit or recall, its target. */
  changed: [StoredMessage];
  progress: [{ clientMsgId: string; convId: string; sentBytes: number; totalBytes: number }];
}

type Outcome = 'done' | 'retry' | { afterMs: number };

export class OutboxSender extends EventEmitter<OutboxSenderEvents> {
  private readonly active = new Set<string>();
  private stopped = false;

  constructor(
    private readonly conn: ServerConnection,
    private readonly outbox: OutboxPort,
    private readonly upload: Uploader,
    private readonly retry = { baseMs: 500, capMs: 30_000 },
  ) {
    super();
  }

  /** Starts a sender for every conversation with something to send (call when online, or after queueing). */
  kick(): void {
    if (this.stopped || !this.conn.online) return;
    for (const item of this.outbox.nextSendable()) {
      if (!this.active.has(item.convId)) void this.drain(item.convId);
    }
  }

  stop(): void {
    this.stopped = true;
  }

  /** Resolves true when nothing is in flight (used before quitting), false after `timeoutMs`. */
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
        const item = this.outbox.nextSendable().find((i) => i.convId === convId);
        if (!item || this.outbox.markSending(item.clientMsgId) === null) return;
        const outcome = await this.sendOne(item);
        if (outcome === 'done') {
          backoff.reset();
          continue;
        }
        // Retryable: the item is queued again in its place, so order is kept; wait before the next try.
        await new Promise((r) => setTimeout(r, outcome === 'retry' ? backoff.next() : outcome.afterMs));
      }
    } finally {
      this.active.delete(convId);
    }
  }

  private fail(item: OutboxItem, code: string, reason: string): Outcome {
    const message = this.outbox.markFailed(item.clientMsgId, code, reason);
    if (message) this.emit('changed', message);
    return 'done';
  }

  private async recall(item: OutboxItem): Promise<SendAck> {
    const answer = await this.conn.request('recall', { convId: item.convId, seq: item.body.seq as number, clientMsgId: item.clientMsgId });
    // A server without the clientMsgId extension answers only the seq; the entry itself then comes by sync.
    return { seq: answer.seq, msgId: answer.msgId ?? '', ts: answer.ts ?? Date.now() };
  }

  private async sendOne(item: OutboxItem): Promise<Outcome> {
    try {
      let body = item.body;
      if (item.attachment) {
        let fileId = item.attachment.uploadedFileId;
        if (!fileId) {
          fileId = await this.upload(item, (sentBytes, totalBytes) =>
            this.emit('progress', { clientMsgId: item.clientMsgId, convId: item.convId, sentBytes, totalBytes }),
          );
          const uploaded = this.outbox.setUploadedFile(item.clientMsgId, fileId);
          if (uploaded) this.emit('changed', uploaded);
        }
        body = { ...body, fileId };
      }
      const ack = item.kind === 'recall' ? await this.recall(item) : await this.conn.request('send', {
        convId: item.convId,
        clientMsgId: item.clientMsgId,
        kind: item.kind,
        body,
        ...(item.mentions ? { mentions: item.mentions } : {}),
        ...(item.replyTo !== undefined ? { replyTo: item.replyTo } : {}),
      });
      const sent = this.outbox.markSent(item.clientMsgId, ack);
      if (sent) this.emit('changed', sent);
      return 'done';
    } catch (error) {
      if (error instanceof NoAnswerError) {
        this.outbox.requeue(item.clientMsgId);
        return 'retry';
      }
      if (error instanceof ProtocolError) {
        if (item.kind === 'recall' && error.code === 'CONFLICT') {
          // Recalled already (another device, an admin): what the user asked for is done; the recall entry comes by sync.
          const target = this.outbox.discard(item.clientMsgId);
          if (target) this.emit('changed', target);
          return 'done';
        }
        // UNAUTHENTICATED means the session ended: keep the message queued for the next sign-in.
        if (RETRYABLE_CODES.has(error.code) || error.code === 'UNAUTHENTICATED') {
          this.outbox.requeue(item.clientMsgId, { code: error.code, reason: error.message });
          if (error.code === 'RATE_LIMITED') return { afterMs: Math.max(50, Number(error.extra.retryAfterMs ?? 1000)) };
          return 'retry';
        }
        if (isQuotaRefusal({ code: error.code, ...error.extra })) return this.fail(item, error.code, UPLOAD_QUOTA_REASON);
        // The window offers to add the contact: the reason is kept as the protocol names it, not as a sentence.
        if (error.code === 'FORBIDDEN' && error.extra.reason === NOT_CONTACTS_REASON) return this.fail(item, error.code, NOT_CONTACTS_REASON);
        return this.fail(item, error.code, error.message);
      }
      // A local failure (the attachment's copy vanished): nothing a retry can mend.
      return this.fail(item, 'BAD_REQUEST', (error as Error).message);
    }
  }
}
