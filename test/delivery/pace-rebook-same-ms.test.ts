import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue } from '../../src/delivery/outbox.js';
import { Pacer, type PaceRule } from '../../src/delivery/pacer.js';
import { createLogger } from '../../src/log.js';
import type { ChannelSender, SendResult } from '../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../support/databases.js';

const log = createLogger('silent');
const email: PaceRule = { key: 'email', perSecond: 1, burst: 1 };

/**
 * A send booked and waiting for its turn books again when its keys are refused or held after it
 * was booked (pacer.ts `refusedSince`, dispatcher.ts `pacedSend`). The refusal may come in the
 * same millisecond as the booking (a batch books its rows while answers come in; an injected
 * clock does not move at all meanwhile): told by times (`>`), that send went at its old turn.
 */
describe('a refusal in the same millisecond as a booking', () => {
  it('should tell the send booked before it to book again', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock);
    expect(pacer.reserve([email], 1000)).toEqual({ waitMs: 0, booked: true });
    const booked = pacer.mark();
    expect(pacer.reserve([email], 1000)).toEqual({ waitMs: 1000, booked: true });
    // The first send's answer, in the same millisecond: 429, Retry-After 5 s. (Told by times,
    // `refusedSince(rules, booked at)` with `>`, this answered false: failed before the fix.)
    pacer.refused([email], 5000);
    expect(pacer.refusedSince([email], booked)).toBe(true);
  });

  it('should not tell a send booked after it, in the same millisecond, to book again', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock);
    pacer.refused([email], 5000);
    const booked = pacer.mark();
    expect(pacer.reserve([email], 10_000)).toEqual({ waitMs: 5000, booked: true });
    expect(pacer.refusedSince([email], booked)).toBe(false);
    pacer.hold([email], 1000);
    expect(pacer.refusedSince([email], booked)).toBe(true);
  });

  it('should tell a send booked before a refusal to book again though the clock stepped back between them', () => {
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    const pacer = new Pacer(clock);
    pacer.reserve([email], 1000);
    const booked = pacer.mark();
    pacer.reserve([email], 1000);
    clock.advance(-60_000);
    pacer.refused([email], 5000);
    expect(pacer.refusedSince([email], booked)).toBe(true);
  });
});

describe.each(dialects)('a send booked when another is refused in the same millisecond, on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  beforeEach(async () => {
    db = await freshDatabase(kind);
    await enqueue(db.db, ['a', 'b'].map((name) => ({
      key: name, kind: 'notice', place: { address: `${name}@example.org`, language: 'pl' as const }, channels: ['email' as const],
      payload: { language: 'pl', title: name, text: 'x' }, dueAt: clock.now(),
    })));
  });
  afterEach(async () => db?.close());

  it('should not send it during the hold the refusal began', async () => {
    // The clock stands still: every booking, send and refusal below is in its one millisecond.
    const at = clock.now().getTime();
    let bBooks: () => void = () => undefined;
    const bBooked = new Promise<void>((resolve) => (bBooks = resolve));
    const sent: string[] = [];
    const sender: ChannelSender = {
      kind: 'email',
      async send(address): Promise<SendResult> {
        if (address === 'a@example.org') {
          // Answered once b has booked its turn (a second on, behind a at 1 a second).
          await bBooked;
          return { ok: false, permanent: false, rateLimited: true, refusal: '429', retryAfterMs: 5000, reason: 'rate limited' };
        }
        sent.push(address);
        return { ok: true };
      },
    };
    const d = new Dispatcher({
      db: db.db, clock, log, workerId: 'w', senders: new Map([['email', sender]]), maxPaceWaitMs: 1000, random: () => 0,
      // b's rules are read just before it books (dispatcher.ts pacedSend), in the same turn of the event loop.
      pacing: (_channel, address) => (address === 'b@example.org' && setImmediate(bBooks), [email]),
      // A pace wait passes in 10 real ms; the clock does not move.
      sleep: () => new Promise((resolve) => setTimeout(resolve, 10)),
    });
    const report = await d.drainLane('email');
    await d.stop({ deadlineMs: 200 });
    // Before the fix b went at its old turn, with e-mail held for 5 s by a's refusal.
    expect(sent).toEqual([]);
    expect(report.deferred).toBe(1);
    const rows = await sql<{ key: string; next: Date }>`select dedupe_key as key, next_attempt_at as next from deliveries order by dedupe_key`.execute(db.db);
    expect(rows.rows.map((r) => [r.key, new Date(r.next).getTime() - at])).toEqual([['a', 5000], ['b', 5000]]);
  });
});
