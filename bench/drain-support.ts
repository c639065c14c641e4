/** The fake transport of the drain benchmark: an HTTP sink on loopback and a sender posting to it. */
import { createServer, type Server } from 'node:http';
import { Agent, request } from 'node:http';
import type { ChannelSender, Message, SendResult } from '../src/ports/channel.port.js';

export async function startSink(): Promise<{ url: string; count: () => number; close(): Promise<void> }> {
  let received = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    count: () => received,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** What a platform adapter does, reduced to one keep-alive HTTP POST per message. */
export function sinkSender(url: string): ChannelSender {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(url);
  return {
    kind: 'email',
    send: (address: string, message: Message) =>
      new Promise<SendResult>((resolve) => {
        const body = JSON.stringify({ address, title: message.title });
        const req = request({ host: target.hostname, port: target.port, path: '/', method: 'POST', agent, headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200 ? { ok: true } : { ok: false, permanent: false, reason: `HTTP ${res.statusCode}` }));
        });
        req.on('error', (error) => resolve({ ok: false, permanent: false, reason: error.message }));
        req.end(body);
      }),
  };
}
