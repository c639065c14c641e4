import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../../adapters/slack/index.js';
import { createMetrics } from '../../../src/http/metrics.js';
import { createHttpServer } from '../../../src/http/server.js';
import { createLogger } from '../../../src/log.js';
import type { BotPort, ChannelAdapter, Message } from '../../../src/ports/channel.port.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { SIGNING_SECRET, SlackRequests } from './slack-requests.js';

const log = createLogger('silent');
const reminder: Message = {
  language: 'pl',
  title: 'Przypomnienie: spotkanie zespołu',
  text: 'Jutro o **10:00**, [szczegóły](https://koop.example.org/)',
  fields: [{ label: 'Miejsce', value: 'Sala 12' }],
};
/** The sender never asks the bot anything; this port only has to exist. */
const idleBot: BotPort = {
  handle: async () => ({ language: 'pl', title: 'OK', text: 'OK' }),
  home: async () => ({ language: 'pl', title: 'OK', text: 'OK' }),
  handleOnce: async () => undefined, seenBefore: async () => false, firstTime: async () => true,
  linkPlace: async () => undefined,
};

describe('the Slack sender', () => {
  let fake: FakeSlackApi;
  let adapter: ChannelAdapter;

  beforeAll(async () => {
    fake = await new FakeSlackApi().start();
    adapter = createSlackAdapter({
      botToken: 'xoxb-test-token',
      signingSecret: SIGNING_SECRET,
      apiUrl: `${fake.url}/api/`,
      botId: 'BKOOP',
      botUserId: 'UKOOP',
      bot: idleBot,
      log,
      publicUrl: 'https://koop.example.org',
    });
  });
  afterAll(async () => fake?.stop());
  afterEach(() => void fake.calls.splice(0));

  it('should post a direct message to the user id with blocks and fallback text', async () => {
    const result = await adapter.sender.send('UANNA', reminder);
    expect(result).toEqual({ ok: true, providerId: expect.stringMatching(/^[A-Z0-9]+:\d+\.\d+$/) });
    const [post] = fake.callsTo('chat.postMessage');
    expect(post!.headers.authorization).toBe('Bearer xoxb-test-token');
    expect(post!.params.channel).toBe('UANNA');
    expect(post!.params.text).toBe('Przypomnienie: spotkanie zespołu\nJutro o *10:00*, <https://koop.example.org/|szczegóły>');
    expect(post!.params.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Przypomnienie: spotkanie zespołu', emoji: true } });
    expect(JSON.stringify(post!.params.blocks)).toContain('*Miejsce*\\nSala 12');
  });

  it('should report HTTP 429 as temporary with Retry-After in milliseconds, trying only once', async () => {
    fake.failNext('chat.postMessage', { status: 429, headers: { 'retry-after': '2' }, body: { ok: false, error: 'ratelimited' } });
    expect(await adapter.sender.send('UANNA', reminder)).toEqual({ ok: false, permanent: false, rateLimited: true, refusal: 'ratelimited', reason: 'ratelimited', retryAfterMs: 2000 });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('should read a 429\'s Retry-After given as an HTTP-date (RFC 9110), which the SDK itself cannot read', async () => {
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 90_000);
    fake.failNext('chat.postMessage', { status: 429, headers: { 'retry-after': at.toUTCString() }, body: { ok: false, error: 'ratelimited' } });
    const result = await adapter.sender.send('UANNA', reminder);
    expect(result).toMatchObject({ ok: false, permanent: false, rateLimited: true });
    const wait = (result as { retryAfterMs?: number }).retryAfterMs;
    expect(wait).toBeGreaterThan(85_000);
    expect(wait).toBeLessThanOrEqual(90_000);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it.each(['invalid_auth', 'token_revoked', 'not_authed', 'account_inactive'])(
    'should report %s as temporary and as a settings problem: our token is refused, not this message',
    async (error) => {
      fake.failNext('chat.postMessage', { body: { ok: false, error } });
      expect(await adapter.sender.send('UANNA', reminder)).toEqual({ ok: false, permanent: false, settings: true, reason: expect.stringContaining(error) });
    },
  );

  it.each(['user_not_found', 'channel_not_found', 'is_archived', 'not_in_channel'])(
    'should report %s as permanent, with the reason',
    async (error) => {
      fake.failNext('chat.postMessage', { body: { ok: false, error } });
      expect(await adapter.sender.send('UGONE', reminder)).toEqual({ ok: false, permanent: true, reason: error });
    },
  );

  it('should report a 5xx as temporary without retrying it itself', async () => {
    fake.failNext('chat.postMessage', { status: 503, body: { ok: false } });
    expect(await adapter.sender.send('UANNA', reminder)).toEqual({ ok: false, permanent: false, reason: 'http_503' });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('should report an unreachable Slack as temporary', async () => {
    const offline = createSlackAdapter({ botToken: 'xoxb-t', signingSecret: SIGNING_SECRET, apiUrl: 'http://127.0.0.1:1/api/', botId: 'B', botUserId: 'U', bot: idleBot, log, publicUrl: 'https://x.org' });
    const result = await offline.sender.send('UANNA', reminder);
    expect(result).toMatchObject({ ok: false, permanent: false, reason: expect.stringMatching(/^network: /) });
  });
});

describe('the Slack adapter without botId and botUserId', () => {
  it('should call auth.test once, at start, and never on a command\'s way to its ack', async () => {
    const fake = await new FakeSlackApi().start();
    fake.users.set('UANNA', 'anna.nowak@example.org');
    const adapter = createSlackAdapter({ botToken: 'xoxb-t', signingSecret: SIGNING_SECRET, apiUrl: `${fake.url}/api`, bot: idleBot, log, publicUrl: 'https://x.org' });
    const server = createHttpServer({ routes: [], mounts: adapter.mounts, metrics: createMetrics(), log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await adapter.start();
      const slack = new SlackRequests(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
      for (const text of ['pomoc', 'spotkania']) expect((await slack.command('UANNA', text)).status).toBe(200);
      expect(fake.callsTo('auth.test')).toHaveLength(1);
      expect(fake.calls.every((c) => c.path.startsWith('/api/'))).toBe(true);
    } finally {
      await adapter.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fake.stop();
    }
  });

  it('should have no HTTP mount in Socket Mode', () => {
    const adapter = createSlackAdapter({ botToken: 'xoxb-t', signingSecret: SIGNING_SECRET, appToken: 'xapp-1-A1-1-x', bot: idleBot, log, publicUrl: 'https://x.org' });
    expect(adapter.kind).toBe('slack');
    expect(adapter.mounts).toEqual([]);
  });
});
