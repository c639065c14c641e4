import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTeamsAdapter } from '../../../adapters/teams/index.js';
import type { ChannelAdapter, Message, SendResult } from '../../../src/ports/channel.port.js';
import { FakeConnector } from './fake-connector.js';
import { BOT, log } from './harness.js';

/** Proactive sends need no database: the stored address is all the sender gets. */
const bot = {
  handle: async (): Promise<Message> => ({ language: 'pl', title: 'x', text: 'x' }),
  home: async (): Promise<Message> => ({ language: 'pl', title: 'x', text: 'x' }),
  handleOnce: async () => undefined, seenBefore: async () => false, firstTime: async () => true,
  linkPlace: async () => undefined,
};
const reminder: Message = { language: 'pl', title: 'Przypomnienie', text: 'Jutro spotkanie zespołu.' };

describe('Teams proactive sends', () => {
  let connector: FakeConnector;
  let adapter: ChannelAdapter;
  let address: string;

  beforeAll(async () => {
    connector = await new FakeConnector().start();
    adapter = createTeamsAdapter({ devNoAuth: true, bot, log, publicUrl: 'https://koop.example.org', connectorTimeoutMs: 1000 });
    address = JSON.stringify({
      channelId: 'msteams',
      serviceUrl: connector.url,
      conversation: { id: 'a:personal-1', conversationType: 'personal', tenantId: 'tenant-1' },
      bot: BOT,
      user: { id: '29:anna', aadObjectId: 'aad-anna' },
    });
  });
  afterAll(async () => connector.stop());
  beforeEach(() => {
    connector.calls.length = 0;
    connector.failures.length = 0;
  });

  it('should post the card to the stored conversation', async () => {
    const result = await adapter.sender.send(address, reminder);
    expect(result).toEqual({ ok: true, providerId: 'activity-1' });
    const [call] = connector.activities();
    expect(call!.conversationId).toBe('a:personal-1');
    expect(call!.body).toMatchObject({ type: 'message', summary: 'Przypomnienie: Jutro spotkanie zespołu.', recipient: { id: '29:anna' }, from: { id: BOT.id } });
  });

  it('should report 429 as temporary with Retry-After, after exactly one request', async () => {
    connector.failures.push({ status: 429, headers: { 'retry-after': '7' }, body: { error: { code: 'Throttled', message: 'slow down' } } });
    const result = await adapter.sender.send(address, reminder);
    expect(result).toEqual({ ok: false, permanent: false, rateLimited: true, refusal: '429', retryAfterMs: 7000, reason: expect.stringContaining('429') });
    expect(connector.activities()).toHaveLength(1);
  });

  it('should read a 429\'s Retry-After given as an HTTP-date (RFC 9110)', async () => {
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 90_000);
    connector.failures.push({ status: 429, headers: { 'retry-after': at.toUTCString() }, body: { error: { code: 'Throttled', message: 'slow down' } } });
    const result = await adapter.sender.send(address, reminder);
    expect(result).toMatchObject({ ok: false, permanent: false, rateLimited: true });
    const wait = (result as { retryAfterMs?: number }).retryAfterMs;
    expect(wait).toBeGreaterThan(85_000);
    expect(wait).toBeLessThanOrEqual(90_000);
  });

  it('should report 5xx as temporary without retrying inside botbuilder', async () => {
    connector.failures.push({ status: 503, headers: { 'retry-after': '1' } }, { status: 500 });
    const first = await adapter.sender.send(address, reminder);
    expect(first).toMatchObject({ ok: false, permanent: false, reason: expect.stringContaining('503') });
    expect(connector.activities()).toHaveLength(1);
    expect(await adapter.sender.send(address, reminder)).toMatchObject({ ok: false, permanent: false, reason: expect.stringContaining('500') });
    expect(connector.activities()).toHaveLength(2);
  });

  it('should report 404 (conversation gone, bot blocked) as permanent with the reason', async () => {
    connector.failures.push({ status: 404, body: { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } } });
    const result = await adapter.sender.send(address, reminder);
    expect(result).toMatchObject({ ok: false, permanent: true, reason: expect.stringContaining('ConversationNotFound') });
  });

  it('should report 401 as temporary and a settings problem naming the credentials, and 403 as permanent', async () => {
    connector.failures.push({ status: 401, body: { message: 'Authorization has been denied for this request.' } });
    connector.failures.push({ status: 403, body: { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } } });
    const unauthorized = await adapter.sender.send(address, reminder);
    expect(unauthorized).toMatchObject({ ok: false, permanent: false, settings: true, reason: expect.stringContaining('MicrosoftAppId') });
    const forbidden = await adapter.sender.send(address, reminder);
    expect(forbidden).toMatchObject({ ok: false, permanent: true, reason: expect.stringContaining('BotNotInConversationRoster') });
  });

  it('should report an unreachable or silent connector as temporary', async () => {
    const gone = JSON.stringify({ ...JSON.parse(address), serviceUrl: 'http://127.0.0.1:9/' });
    expect(await adapter.sender.send(gone, reminder)).toMatchObject({ ok: false, permanent: false });
    connector.failures.push({ status: 0 });
    const started = Date.now();
    expect(await adapter.sender.send(address, reminder)).toMatchObject({ ok: false, permanent: false, reason: 'teams: timed out' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it.each([
    ['not JSON', 'aad-anna', /not a conversation reference/],
    ['an empty object', '{}', /lacks serviceUrl, conversation.id, channelId/],
    ['no conversation', JSON.stringify({ channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/emea/' }), /lacks conversation.id/],
    ['null', 'null', /lacks/],
  ])('should fail permanently, not crash, when the stored address is %s', async (_name, stored, reason) => {
    const result: SendResult = await adapter.sender.send(stored, reminder);
    expect(result).toMatchObject({ ok: false, permanent: true, reason: expect.stringMatching(reason) });
    expect(connector.calls).toEqual([]);
  });
});
