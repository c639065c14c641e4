import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../../adapters/slack/index.js';
import { createMetrics } from '../../../src/http/metrics.js';
import { createHttpServer } from '../../../src/http/server.js';
import type { BotPort } from '../../../src/ports/channel.port.js';
import { FakeSlackApi } from './fake-slack-api.js';
import { SIGNING_SECRET, SlackRequests } from './slack-requests.js';

const idleBot: BotPort = {
  handle: async () => ({ language: 'pl', title: 'OK', text: 'OK' }),
  home: async () => ({ language: 'pl', title: 'Start', text: 'Witamy' }),
  handleOnce: async () => undefined, seenBefore: async () => false, firstTime: async () => true,
  linkPlace: async () => undefined,
};

/**
 * Hostile review: a listener that fails after its request was answered (Bolt acks an event
 * before its listener runs; here views.publish of the App Home fails) was logged twice: by
 * Bolt's default error handler (through bolt-logger.ts) and by our receiver. Once now, at error
 * level, with Slack's id of the request. The whole adapter as the service wires it: our HTTP
 * server, the signed request, Bolt's App, a fake Web API on loopback.
 */
describe('a Slack listener failing after its ack', () => {
  const lines: { level: number; msg: string; requestId?: string; err?: { message: string } }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  let api: FakeSlackApi;
  let server: Server;
  let slack: SlackRequests;

  beforeAll(async () => {
    api = await new FakeSlackApi().start();
    api.users.set('UANNA', 'anna.nowak@example.org');
    const adapter = createSlackAdapter({ botToken: 'xoxb-test', signingSecret: SIGNING_SECRET, apiUrl: `${api.url}/api/`, botId: 'BKOOP', botUserId: 'UKOOP', bot: idleBot, log, publicUrl: 'https://koop.example.org' });
    server = createHttpServer({ routes: [], mounts: adapter.mounts, metrics: createMetrics(), log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await adapter.start();
    slack = new SlackRequests(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await api?.stop();
  });

  it('should log the failure once, at error level, with the request’s id', async () => {
    api.failNext('views.publish', { body: { ok: false, error: 'invalid_blocks' } });
    const response = await slack.event('Ev0FAILS', { type: 'app_home_opened', user: 'UANNA', channel: 'D1', tab: 'home' });
    expect(response.status).toBe(200);
    await api.waitFor('views.publish');
    await expect.poll(() => lines.filter((l) => l.level >= 50).length).toBeGreaterThan(0);
    // A moment for a second line, were there one.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const errors = lines.filter((l) => l.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ level: 50, msg: 'slack listener failed after its request was answered', requestId: 'Ev0FAILS', err: { message: expect.stringContaining('invalid_blocks') } });
  });
});
