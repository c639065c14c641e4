import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTeamsAdapter } from '../../adapters/teams/index.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../src/delivery/outbox.js';
import type { ChannelAdapter, ChannelKind } from '../../src/ports/channel.port.js';
import { FakeConnector } from '../adapters/teams/fake-connector.js';
import { dialects } from '../support/databases.js';
import { idleBot, log, slackOnLoopback } from './slack-on-loopback-fixture.js';

const BOT = { id: '28:kooperator-bot', name: 'Kooperator' };

/**
 * Hostile review of ce75c7f (a refusal naming its wait holds the platform's pacer keys): which
 * refusals may stop a whole platform? Two that must not:
 * - Teams' 412 Precondition Failed ("most likely a concurrent operation on the same
 *   conversation", learn.microsoft.com, status codes from bot conversational APIs) with a
 *   Retry-After concerns one conversation; it held every conversation of every tenant.
 * - A permanent failure (Slack answering a 4xx, say 413, that carries a Retry-After) fails that
 *   one message for good; it held all of Slack for the wait it named.
 * Real adapters against their fakes on loopback; the clock is fixed (nothing here waits for pace).
 */
describe.each(dialects)('which refusals hold a whole platform, on %s', (kind) => {
  const world = slackOnLoopback(kind);
  const { clock } = world;
  let connector: FakeConnector;
  let teams: ChannelAdapter;

  beforeAll(async () => {
    connector = await new FakeConnector().start();
    teams = createTeamsAdapter({ devNoAuth: true, bot: idleBot, log, publicUrl: 'https://koop.example.org', connectorTimeoutMs: 2000 });
  });
  afterAll(async () => connector?.stop());
  beforeEach(() => {
    connector.calls.length = 0;
    connector.failures.length = 0;
  });

  const dispatcher = (channel: ChannelKind, adapter: ChannelAdapter) => new Dispatcher({ ...world.dispatching(), senders: new Map([[channel, adapter.sender]]) });
  const notice = (key: string, channel: ChannelKind, address: string): PlannedDelivery => ({
    key, kind: 'notice', place: { address, language: 'pl' }, channels: [channel], payload: { language: 'pl', title: key, text: 'x' }, dueAt: clock.now(),
  });
  const conversation = (id: string) =>
    JSON.stringify({ channelId: 'msteams', serviceUrl: connector.url, conversation: { id, conversationType: 'channel', tenantId: 'tenant-1' }, bot: BOT });
  /** A Teams channel the bot has been shown (places.ts): a notice to it is posted at its conversation reference. */
  const teamsChannel = async (id: string) => {
    await world.db.db.insertInto('place_channels').values({ channel: 'teams', external_id: id, address: conversation(id) }).execute();
    return id;
  };

  it("should keep sending to other Teams conversations after one conversation's 412 with Retry-After", async () => {
    const d = dispatcher('teams', teams);
    connector.failures.push({ status: 412, headers: { 'retry-after': '30' }, body: { error: { code: 'PreconditionFailed', message: 'concurrent operation' } } });
    await enqueue(world.db.db, [notice('busy', 'teams', await teamsChannel('19:busy@thread.tacv2'))]);
    await d.drainLane('teams');
    expect(connector.activities().map((c) => c.conversationId)).toEqual(['19:busy@thread.tacv2']);

    // A second later, a message to another conversation (another team): nothing held it. One
    // more to the busy conversation waits out its 30 s.
    clock.advance(1000);
    await enqueue(world.db.db, [notice('other', 'teams', await teamsChannel('19:other@thread.tacv2')), notice('busy-again', 'teams', '19:busy@thread.tacv2')]);
    await d.drainLane('teams');
    await d.stop({ deadlineMs: 200 });
    expect(connector.activities().map((c) => c.conversationId)).toEqual(['19:busy@thread.tacv2', '19:other@thread.tacv2']);
    const again = await world.db.db.selectFrom('deliveries').select(['state', 'next_attempt_at']).where('dedupe_key', '=', 'busy-again').executeTakeFirstOrThrow();
    expect(again.state).toBe('pending');
    expect(again.next_attempt_at.getTime()).toBeGreaterThanOrEqual(Date.parse('2027-01-04T08:00:29Z'));
  });

  it('should not hold Slack for the Retry-After of a message it failed for good', async () => {
    const d = dispatcher('slack', world.slack);
    world.api.failNext('chat.postMessage', { status: 413, headers: { 'retry-after': '600' }, body: { ok: false, error: 'request_too_large' } });
    await enqueue(world.db.db, [notice('huge', 'slack', 'C001')]);
    await d.drainLane('slack');
    const [huge] = await world.db.db.selectFrom('deliveries').select(['state']).execute();
    expect(huge!.state).toBe('failed');

    clock.advance(1000);
    await enqueue(world.db.db, [notice('next', 'slack', 'C002')]);
    await d.drainLane('slack');
    await d.stop({ deadlineMs: 200 });
    expect(world.api.callsTo('chat.postMessage').map((c) => c.params.channel)).toEqual(['C001', 'C002']);
  });
});
