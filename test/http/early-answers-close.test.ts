import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../adapters/slack/index.js';
import { createTeamsAdapter } from '../../adapters/teams/index.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import type { BotPort } from '../../src/ports/channel.port.js';
import { SIGNING_SECRET } from '../adapters/slack/slack-requests.js';
import { rawExchange } from './raw-exchange.js';

const log = createLogger('silent');
const idleBot: BotPort = {
  handle: async () => ({ language: 'pl', title: 'OK', text: 'OK' }),
  home: async () => ({ language: 'pl', title: 'OK', text: 'OK' }),
  handleOnce: async () => undefined, seenBefore: async () => false, firstTime: async () => true,
  linkPlace: async () => undefined,
};

/**
 * Hostile review: a 405 (and a 404) is answered before any body is read, but kept its
 * connection, so Node went on reading the body sent with it (to reuse the connection): a
 * client declaring 100 MB to a wrong address held the socket until it had sent them all. Such
 * an answer now closes the connection, and the body is not read.
 */
describe('answers given before reading a body', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    const slack = createSlackAdapter({ botToken: 'xoxb-test', signingSecret: SIGNING_SECRET, apiUrl: 'http://127.0.0.1:9/api/', botId: 'B', botUserId: 'U', bot: idleBot, log, publicUrl: 'https://koop.example.org' });
    const teams = createTeamsAdapter({ devNoAuth: true, bot: idleBot, log, publicUrl: 'https://koop.example.org' });
    server = createHttpServer({
      routes: [{ method: 'GET', path: /^\/page$/, name: 'page', handler: (_req, res) => void res.end('page') }],
      mounts: [...slack.mounts, ...teams.mounts],
      metrics: createMetrics(),
      log,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([
    ['a 405 from a route', 'POST /page HTTP/1.1', 405],
    ['a 404', 'POST /nothing-here HTTP/1.1', 404],
    ['the Slack endpoint’s 405', 'PUT /slack/events HTTP/1.1', 405],
    ['the Teams endpoint’s 405', 'PUT /api/messages HTTP/1.1', 405],
  ])('should answer %s to a request declaring 100 MB at once, and end the connection without reading them', async (_name, head, status) => {
    const { answer, ended } = await rawExchange(port, head, { declared: 100 * 1024 * 1024, sent: 1024 });
    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(answer.toLowerCase()).toContain('\r\nconnection: close\r\n');
    expect(ended).toBe(true);
  });

  it('should keep the connection of a 405 or 404 to a request without a body', async () => {
    for (const head of ['DELETE /page HTTP/1.1', 'GET /nothing-here HTTP/1.1']) {
      const { answer, ended } = await rawExchange(port, head, { withinMs: 300 });
      expect(answer.toLowerCase()).toContain('\r\nconnection: keep-alive\r\n');
      expect(ended).toBe(false);
    }
  });
});
