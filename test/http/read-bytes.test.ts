import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientGoneError, readBytes } from '../../src/http/read-body.js';
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
