import type { Clock } from '../../src/clock.js';
import type { ChannelKind, ChannelSender, Message, SendResult } from '../../src/ports/channel.port.js';

/**
 * What the next send meets at the platform:
 * - `throw`: the client throws (connection reset);
 * - `hang`: no answer ever, until the engine gives up (its time limit or a stop);
 * - `slow`: no answer until `releaseSlow()`; delivered then, unless given up on first;
 * - `rate-limited`: 429 with Retry-After 2 s; `server-error`: 503; `refused`: a permanent 4xx.
 */
export type Fault = 'throw' | 'hang' | 'slow' | 'rate-limited' | 'server-error' | 'refused';

export const FAULTS: readonly Fault[] = ['throw', 'hang', 'slow', 'rate-limited', 'server-error', 'refused'];

export interface Delivered {
  channel: ChannelKind;
  address: string;
  title: string;
  /** The sender's clock when the send began. */
  startedAt: Date;
  by: string;
}

/**
 * A fake platform at the network edge, shared by every simulated process: it records what
 * arrives and meets the next sends with scripted faults. A message is delivered at the instant
 * the send answers ok, never after the engine gave up on it (the send's signal aborted) and
 * never from a process that is dead, so "delivered" here is exactly what a person would see.
 */
export class FaultyPlatform {
  readonly delivered: Delivered[] = [];
  private readonly script: Fault[] = [];
  private readonly slow = new Set<{ owner: string; release: () => void; drop: () => void }>();

  /** The next sends, in the order they arrive, meet these faults; later ones go through. */
  inject(...faults: Fault[]): void {
    this.script.push(...faults);
  }

  /** Sends held by `slow` answer now (in any process still alive). */
  releaseSlow(): void {
    for (const s of [...this.slow]) s.release();
  }

  /** A process died: its sends on their way never arrive. */
  crashed(owner: string): void {
    for (const s of [...this.slow]) if (s.owner === owner) s.drop();
  }

  /** The channel port of one process (`owner`) for one platform. */
  sender(kind: ChannelKind, owner: string, clock: Clock, alive: () => boolean): ChannelSender {
    return {
      kind,
      send: (address: string, message: Message, options?: { signal?: AbortSignal }): Promise<SendResult> => {
        const startedAt = clock.now();
        const deliver = (): SendResult => {
          if (!alive()) throw new Error('the process is dead');
          this.delivered.push({ channel: kind, address, title: message.title, startedAt, by: owner });
          return { ok: true, providerId: `${kind}-${this.delivered.length}` };
        };
        const fault = this.script.shift();
        switch (fault) {
          case undefined:
            return Promise.resolve().then(deliver);
          case 'throw':
            return Promise.reject(new Error('connection reset by peer'));
          case 'rate-limited':
            return Promise.resolve({ ok: false, permanent: false, reason: 'rate limited', retryAfterMs: 2000 });
          case 'server-error':
            return Promise.resolve({ ok: false, permanent: false, reason: 'HTTP 503' });
          case 'refused':
            return Promise.resolve({ ok: false, permanent: true, reason: 'HTTP 404' });
          case 'hang':
          case 'slow':
            return new Promise<SendResult>((resolve, reject) => {
              const entry = {
                owner,
                release: () => (this.slow.delete(entry), fault === 'slow' ? settle(() => resolve(deliver())) : undefined),
                drop: () => (this.slow.delete(entry), reject(new Error('the process is dead'))),
              };
              const settle = (f: () => void) => {
                try {
                  f();
                } catch (error) {
                  reject(error);
                }
              };
              this.slow.add(entry);
              options?.signal?.addEventListener('abort', () => (this.slow.delete(entry), reject(new Error('aborted'))), { once: true });
            });
        }
      },
    };
  }
}
