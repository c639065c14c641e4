import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../src/clock.js';
import { dialects } from '../../support/databases.js';
import { faultyDemoDatabase, type DatabaseFaults } from '../../support/faults.js';
import { settle, storedRows } from '../exactly-once.js';
import { FakeConnector } from './fake-connector.js';
import { activity, people, startHarness, type Harness } from './harness.js';

/**
 * Bot Framework redelivers an activity that got no answer: after a failure that retry is the
 * person's only chance. Each write of handling one card Submit fails in turn, then the same
 * activity comes again: the report is stored once, its messages once, and one answer is given.
 */
const answers = (h: Harness) => h.connector.activities().filter((call) => !FakeConnector.cardText(call).includes('Przepraszamy'));

async function withHarness<T>(kind: (typeof dialects)[number], work: (h: Harness, faults: DatabaseFaults) => Promise<T>): Promise<T> {
  const { db, faults } = await faultyDemoDatabase(kind, new FixedClock('2027-01-04T08:00:00Z'));
  const h = await startHarness(kind, { db });
  try {
    return await work(h, faults);
  } finally {
    await h.close();
  }
}

describe.each(dialects)('Teams activities handled exactly once on %s', (kind) => {
  it('a card Submit: each write failing in turn, then the same activity again, is stored once with its messages once', async () => {
    const { clean, writes } = await withHarness(kind, async (h, faults) => {
      const submit = activity(h.connector, people.anna, { value: { formId: 'problem', category: 'legal', urgency: 'normal', description: 'Brak sali na warsztaty' } });
      const writes = await faults.writesOf(() => h.post(submit));
      expect(answers(h)).toHaveLength(1);
      return { clean: await storedRows(h.db), writes: writes.length };
    });
    expect(clean.problemReports).toBe(1);
    expect(clean.deliveries).toBeGreaterThan(0);
    for (let n = 1; n <= writes; n++) {
      await withHarness(kind, async (h, faults) => {
        const submit = activity(h.connector, people.anna, { value: { formId: 'problem', category: 'legal', urgency: 'normal', description: 'Brak sali na warsztaty' } });
        faults.failNth(n, { writesOnly: true });
        await h.post(submit);
        faults.clearRules();
        await h.post(submit);
        expect(await storedRows(h.db), `write ${n} of ${writes} failed`).toEqual(clean);
        expect(answers(h), `write ${n} of ${writes} failed`).toHaveLength(1);
      });
    }
  }, 180_000);

  it.runIf(kind === 'postgres')('should store one report and give one answer when the same activity arrives twice at once', async () => {
    await withHarness(kind, async (h) => {
      const submit = activity(h.connector, people.anna, { value: { formId: 'problem', category: 'legal', urgency: 'normal', description: 'Dwa razy naraz' } });
      await Promise.all([h.post(submit), h.post(submit)]);
      await settle();
      expect((await storedRows(h.db)).problemReports).toBe(1);
      // The second waited on the key in the first's transaction, then found it taken: no second answer.
      expect(answers(h)).toHaveLength(1);
    });
  });
});
