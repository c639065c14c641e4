import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import type { ChannelAdapter } from '../../../src/ports/channel.port.js';
import { slackSender } from '../../support/fake-platforms/outbox-run.js';

/**
 * Slack (or a proxy in front of it) answering 429 with a Retry-After the SDK cannot read as
 * seconds (an HTTP-date, which RFC 9110 allows, or none at all): still a refusal for pace,
 * as docs/delivery-engine.md promises for "Slack's `ratelimited` and any HTTP 429".
 */
describe('the Slack sender on a 429 without a Retry-After in seconds', () => {
  let server: Server | undefined;
  let adapter: ChannelAdapter | undefined;
  afterEach(async () => {
    await adapter?.stop().catch(() => undefined);
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  it.each([
    ['an HTTP-date', { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }],
    ['none', {}],
  ])('should report a 429 whose Retry-After is %s as a refusal for pace', async (_what, headers: Record<string, string>) => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(429, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
    adapter = slackSender(url, createLogger('silent'));
    const result = await adapter.sender.send('U123', { language: 'pl', title: 'T', text: 'x' });
    expect(result).toMatchObject({ ok: false, permanent: false, rateLimited: true, refusal: '429' });
  });
});
