import { createServer, type Server } from 'node:http';
import type { ChannelSender, Message, SendResult } from '../../src/ports/channel.port.js';

/**
 * The network edge for delivery tests: an HTTP server on loopback that records what arrives
 * and can answer with a scripted status (429 with Retry-After, 500, 404).
 */
export async function startSink(): Promise<{ url: string; received: { address: string; title: string; id?: string }[]; script: number[]; close(): Promise<void> }> {
  const received: { address: string; title: string; id?: string }[] = [];
  const script: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const status = script.shift() ?? 200;
      if (status === 200) received.push(JSON.parse(body));
      res.writeHead(status, status === 429 ? { 'retry-after': '2' } : {});
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, received, script, close: () => new Promise((r) => server.close(() => r())) };
}

/** A ChannelSender that posts to the sink: what a platform adapter does, reduced to HTTP. */
export function sinkSender(kind: ChannelSender['kind'], url: string): ChannelSender {
  return {
    kind,
    async send(address: string, message: Message): Promise<SendResult> {
      const response = await fetch(url, { method: 'POST', body: JSON.stringify({ address, title: message.title, id: message.fields?.[0]?.value }) });
      if (response.ok) return { ok: true };
      if (response.status === 429) return { ok: false, permanent: false, reason: 'rate limited', retryAfterMs: Number(response.headers.get('retry-after')) * 1000 };
      return { ok: false, permanent: response.status < 500, reason: `HTTP ${response.status}` };
    },
  };
}
