import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Incoming } from '../../../src/ports/channel.port.js';
import { dialects, freshDatabase } from '../../support/databases.js';
import { FakeConnector } from './fake-connector.js';
import { activity, message, people, startHarness, type Harness } from './harness.js';

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.each(dialects)('Teams answers within the 5-second limit on %s', (kind) => {
  let h: Harness | undefined;
  // The first database of a worker takes seconds (PGlite snapshot, migrations): not in a test's time.
  beforeAll(async () => (await freshDatabase(kind)).close());
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  // The real Bot behind a delay: the core taking longer than Teams waits for a card Submit.
  const slow = (delayMs: number) => ({
    adapter: { answerBudgetMs: 300 },
    bot: (bot: import('../../../src/bot/bot.js').Bot) => ({
      handle: async (incoming: Incoming) => (await new Promise((r) => setTimeout(r, delayMs)), bot.handle(incoming)),
      home: bot.home.bind(bot),
      handleOnce: async (key: string, incoming: Incoming) => (await new Promise((r) => setTimeout(r, delayMs)), bot.handleOnce(key, incoming)),
      seenBefore: bot.seenBefore.bind(bot),
      firstTime: bot.firstTime.bind(bot),
      linkPlace: bot.linkPlace.bind(bot),
    }),
  });

  it('should say "one moment" in time and post the slow answer to the same conversation later', async () => {
    h = await startHarness(kind, slow(2000));
    const started = Date.now();
    const response = await h.post(activity(h.connector, people.anna, { value: { actionId: 'rsvp', value: 'x:accept' } }));
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    const [first] = h.connector.activities();
    expect(FakeConnector.cardText(first!)).toContain('Chwileczkę');
    await until(() => h!.connector.activities().length === 2);
    const late = h.connector.activities()[1]!;
    expect(late.conversationId).toBe(first!.conversationId);
    expect(FakeConnector.cardText(late)).not.toContain('Chwileczkę');
  });

  it('should answer directly when the core is quick', async () => {
    h = await startHarness(kind, slow(0));
    await h.post(message(h.connector, people.anna, 'spotkania'));
    expect(h.connector.activities()).toHaveLength(1);
    expect(FakeConnector.cardText(h.connector.activities()[0]!)).toContain('wtorek, 12 stycznia 2027, 10:00');
  });

  it('should wait for answers still on their way when stopped', async () => {
    h = await startHarness(kind, slow(600));
    await h.post(message(h.connector, people.anna, 'pomoc'));
    await h.adapter.stop();
    expect(h.connector.activities()).toHaveLength(2);
  });
});
