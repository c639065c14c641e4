import { describe, expect, it } from 'vitest';
import { enqueue } from '../../src/delivery/outbox.js';
import { dialects } from '../support/databases.js';
import { VirtualTime } from '../support/virtual-time.js';
import { drainEvery100ms, earlySuite, lump } from './early-fixture.js';

/**
 * A lump's horizon holds until it is passed (docs/delivery-engine.md, "The lead"), also when rows
 * that may not go early fall due before it: 60 e-mail reminders due at T and 25 notices (no
 * earliest_at) at T − 4 s need 4.25 s of the lane's ten, at 20 a second, through the real
 * dispatcher on the injected clock (as early-lump.test.ts). Once the notices were due, their
 * instant alone counted and the lead shrank to it: the lump's tail waited for T and left late.
 */
describe.each(dialects)('a lump with rows that may not go early due before it on %s', (kind) => {
  const due = new Date('2027-01-04T08:01:00Z');
  const suite = earlySuite(kind, {
    start: '2027-01-04T08:00:00Z',
    fill: (db) => enqueue(db.db, [...lump(60, due), ...lump(25, new Date(due.getTime() - 4000), null, { prefix: 'n', kind: 'notice' })]),
  });
  const { clock } = suite;

  it('should send every reminder by its due time, and the rows that may not go early not before theirs', async () => {
    clock.set('2027-01-04T08:00:50Z');
    const time = new VirtualTime(clock);
    const d = suite.dispatcher({ time });
    await drainEvery100ms(d, time, new Date(due.getTime() + 30_000), async () => (await suite.pending()) > 0);
    await d.stop({ deadlineMs: 200 });
    const rows = await suite.db.db.selectFrom('deliveries').select(['kind', 'state', 'sent_at', 'due_at']).execute();
    expect(rows.every((r) => r.state === 'sent')).toBe(true);
    for (const r of rows.filter((r) => r.kind === 'notice')) expect(r.sent_at!.getTime()).toBeGreaterThanOrEqual(r.due_at.getTime());
    const late = rows.filter((r) => r.kind === 'reminder').map((r) => r.sent_at!.getTime() - r.due_at.getTime());
    expect(Math.max(...late)).toBeLessThanOrEqual(0);
  });
});
