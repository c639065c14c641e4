import type { Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';

const log = createLogger('silent');

/**
 * Hostile review of 2c1df26 (a 404 or 405 answered before reading a declared body closes its
 * connection). Closing a socket with a body still arriving can make the kernel reset the
 * connection, and a client still uploading may then lose the answer and see only the reset.
 * Disproved here for real clients (fetch, node:http) on loopback, with a declared length and
 * with a chunked body (no Content-Length): each one gets its 404, whatever the size.
 */
describe('a body posted to an address with no route', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createHttpServer({ routes: [{ method: 'GET', path: /^\/page$/, name: 'page', handler: (_req, res) => void res.end('page') }], mounts: [], metrics: createMetrics(), log });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each([200_000, 10_000_000])('should reach fetch as a 404, not a reset, for %i bytes', async (size) => {
    for (let i = 0; i < 3; i++) {
      const answer = await fetch(`http://127.0.0.1:${port}/nothing-here`, { method: 'POST', body: Buffer.alloc(size, 'x') });
      expect(answer.status).toBe(404);
      expect(answer.headers.get('connection')).toBe('close');
      await answer.text();
    }
  });

  it.each([
    ['with Content-Length', true],
    ['chunked', false],
  ])('should reach node:http as a 404, not a reset, for 10 MB %s', async (_name, declared) => {
    for (let i = 0; i < 3; i++) {
      const outcome = await new Promise<string>((resolve) => {
        const size = 10_000_000;
        const req = httpRequest({ host: '127.0.0.1', port, path: '/nothing-here', method: 'POST', headers: declared ? { 'content-length': size } : {} }, (res) => {
          res.resume();
          resolve(`${res.statusCode} ${res.headers.connection}`);
        });
        req.on('error', (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`));
        // Chunked: written in pieces, so the body is still arriving when the answer is sent.
        if (declared) req.end(Buffer.alloc(size, 'x'));
        else {
          for (let sent = 0; sent < size; sent += 100_000) req.write(Buffer.alloc(100_000, 'x'));
          req.end();
        }
      });
      expect(outcome).toBe('404 close');
    }
  });
});
