import { frameSize } from './frame.js';
import type { Message } from './transport.js';

/** A FIFO of messages bounded by their size on the wire. */
export class SendQueue {
  private items: Message[] = [];
  private head = 0;
  private queuedBytes = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.queuedBytes;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** False (and nothing queued) when the message does not fit. */
  tryPush(msg: Message): boolean {
    const size = frameSize(msg.payload.byteLength);
    if (this.queuedBytes + size > this.maxBytes) return false;
    this.items.push(msg);
    this.queuedBytes += size;
    return true;
  }

  /** Removes messages from the front until about `maxBytes` are taken (always at least one if any). */
  take(maxBytes: number): Message[] {
    const taken: Message[] = [];
    let bytes = 0;
    while (this.head < this.items.length && (taken.length === 0 || bytes < maxBytes)) {
      const msg = this.items[this.head]!;
      this.items[this.head] = undefined as unknown as Message; // let the payload be collected
      this.head++;
      const size = frameSize(msg.payload.byteLength);
      bytes += size;
      this.queuedBytes -= size;
      taken.push(msg);
    }
    this.compact();
    return taken;
  }

  /** Empties the queue, returning what was in it. */
  clear(): Message[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    this.queuedBytes = 0;
    return rest;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
