import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/http/metrics.js';
import { ClientGoneError, readBody, readBytes } from '../../src/http/read-body.js';
import { createHttpServer } from '../../src/http/server.js';
import { abortMidBody } from '../support/chunked-post.js';

/**
 * A handler may await (the database, a token) before it reads the body. A client gone in that
 * time has closed the request before the reader listens: the read must still settle, or the
 * handler waits for ever.
 */
describe('readBytes on a request its client has already left', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('should reject with ClientGoneError when the client went away before the read began', async () => {
    const settled = new Promise<unknown>((resolve) => {
      server = createServer((req: IncomingMessage) => {
        setTimeout(() => readBytes(req, 1024).then(resolve, resolve), 300);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    await abortMidBody(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/`, Buffer.from('a=1'));
    const outcome = await Promise.race([settled, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2000))]);
    expect(outcome).toBeInstanceOf(ClientGoneError);
  });

  it.each([['a small body', 'a=1'], ['an empty body', '']])('should still read %s that arrived whole before the read began', async (_name, body) => {
    server = createServer((req, res) => {
      setTimeout(() => readBytes(req, 1024).then((bytes) => res.end(`read ${bytes.length}`), (error: Error) => res.end(error.name)), 300);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const response = await fetch(`http://127.0.0.1:${(server!.address() as AddressInfo).port}/`, { method: 'POST', body });
    expect(await response.text()).toBe(`read ${body.length}`);
  });
});

/**
 * Hostile review: a route (or a helper it calls) that reads a body already read. 'end' does not
 * come again, so the read waited for the client to go and then called it gone (ClientGoneError):
 * the server never answered, and the log said only that a client went away. A bug of ours must
 * fail at once: the route's error handling answers 500 and logs one error.
 */
describe('readBytes on a body already read', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('should fail at once with a programming error, so the server answers 500 and logs one error', async () => {
    const lines: { level: number; msg: string; err?: { type: string; message: string } }[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    server = createHttpServer({
      routes: [{ method: 'POST', path: /^\/twice$/, name: 'twice', handler: async (req, res) => {
        await readBody(req);
        await readBody(req);
        res.end('read twice');
      } }],
      mounts: [],
      metrics: createMetrics(),
      log,
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}/twice`;
    const response = await fetch(url, { method: 'POST', body: 'a=1', signal: AbortSignal.timeout(2000) }).catch((error: Error) => error.name);
    expect(response).not.toBe('TimeoutError');
    expect((response as Response).status).toBe(500);
    await (response as Response).text();
    expect(lines.filter((l) => l.level >= 50)).toMatchObject([{ msg: 'request failed', err: { message: expect.stringContaining('already read') } }]);
    expect(lines.filter((l) => l.msg === 'request body not received')).toEqual([]);
    expect(lines.filter((l) => l.level >= 50)[0]!.err!.type).not.toBe('ClientGoneError');
  });
});
