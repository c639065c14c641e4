import { describe, expect, it } from 'vitest';
import { FixedClock } from '../../../src/clock.js';
import { planInvitations } from '../../../src/invitations/plan-invitations.js';
import { dialects } from '../../support/databases.js';
import { faultyDemoDatabase } from '../../support/faults.js';
import { eventually, settle, storedRows } from '../exactly-once.js';
import { buttonClick, modalSubmission, selected, textInput } from './slack-requests.js';
import { slackUsers, startSlackHarness, type SlackHarness } from './slack-harness.js';

/**
 * A platform retry after a failure is the person's only chance: a failed handling must not leave
 * the event marked as seen. Each write of handling one delivery fails in turn, then Slack
 * delivers the same payload again: the change is stored once, its messages once, one answer.
 */
const { anna } = slackUsers;

const deliveries: Record<string, (h: SlackHarness) => Promise<Response>> = {
  'a modal submission (problem report)': (h) =>
    h.slack.interaction(
      modalSubmission(anna.id, 'problem', 'trigger-once-1', { category: selected('legal'), urgency: selected('normal'), description: textInput('Brak sali na warsztaty'), link: textInput(null) }),
    ),
  'a button click (accepting an invitation)': (h) => h.slack.interaction({ ...buttonClick(anna.id, 'rsvp:accept', 'warsztaty-2027-1'), trigger_id: 'trigger-once-2' }),
};

/** The answers Anna got, apologies for a failure left out. */
const answers = (h: SlackHarness) => h.fake.callsTo('chat.postMessage').filter((c) => c.params.channel === anna.id && !JSON.stringify(c.params).includes('Przepraszamy'));

async function withHarness<T>(kind: (typeof dialects)[number], work: (h: SlackHarness, faults: Awaited<ReturnType<typeof faultyDemoDatabase>>['faults']) => Promise<T>): Promise<T> {
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  const { db, faults } = await faultyDemoDatabase(kind, clock);
  // Invited to the workshops, so that accepting is a change.
  await planInvitations(db.db, clock);
  const h = await startSlackHarness(kind, { db });
  try {
    return await work(h, faults);
  } finally {
    await h.close();
  }
}

describe.each(dialects)('Slack deliveries handled exactly once on %s', (kind) => {
  for (const [name, deliver] of Object.entries(deliveries)) {
    it(`${name}: each write failing in turn, then the same delivery again, is stored once with its messages once`, async () => {
      const { clean, before, writes } = await withHarness(kind, async (h, faults) => {
        const before = await storedRows(h.db);
        const writes = await faults.writesOf(async () => {
          await deliver(h);
          await eventually(() => expect(answers(h)).toHaveLength(1));
        });
        return { clean: await storedRows(h.db), before, writes: writes.length };
      });
      // Each delivery changes something: a report with its messages to RCPS, an answer to an invitation.
      expect(clean).not.toEqual(before);
      for (let n = 1; n <= writes; n++) {
        await withHarness(kind, async (h, faults) => {
          faults.failNth(n, { writesOnly: true });
          await deliver(h);
          await settle();
          faults.clearRules();
          await deliver(h);
          await eventually(async () => {
            expect(await storedRows(h.db), `write ${n} of ${writes} failed`).toEqual(clean);
            expect(answers(h)).toHaveLength(1);
          });
          await settle();
          expect(answers(h)).toHaveLength(1);
        });
      }
    }, 180_000);
  }

  it.runIf(kind === 'postgres')('should store one change and give one answer when the same click arrives twice at once', async () => {
    await withHarness(kind, async (h) => {
      const deliver = deliveries['a button click (accepting an invitation)']!;
      await Promise.all([deliver(h), deliver(h)]);
      await eventually(async () => expect(answers(h)).toHaveLength(1));
      await settle(300);
      // The second waited on the key in the first's transaction, then found it taken: no second answer.
      expect(answers(h)).toHaveLength(1);
    });
  });
});
