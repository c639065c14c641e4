import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of PostgreSQL that can hold back what the server sends to the
 * connections that LISTEN (their notifications), as a slow network would, while every other
 * connection flows: a test then knows a notification has not arrived yet, instead of racing it.
 */
export interface ListenProxy {
  readonly port: number;
  /** The database URL of `url`, through the proxy. */
  url(url: string): string;
  /** From now on, what the server sends to a listening connection waits. */
  hold(): void;
  /** Sends on what waited, and lets it flow again. */
  release(): void;
  close(): Promise<void>;
}

export async function startListenProxy(target: { host: string; port: number }): Promise<ListenProxy> {
  const sockets = new Set<Socket>();
  const listeners = new Set<{ client: Socket; waiting: Buffer[] }>();
  let held = false;
  const server = createServer((client) => {
    const upstream = createConnection(target);
    let listener: { client: Socket; waiting: Buffer[] } | undefined;
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => {
      // A simple-protocol query carries its text as is.
      if (!listener && /\blisten\s/i.test(chunk.toString('latin1'))) listeners.add((listener = { client, waiting: [] }));
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => (listener && held ? listener.waiting.push(chunk) : client.write(chunk)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    hold() {
      held = true;
    },
    release() {
      held = false;
      for (const l of listeners) for (const chunk of l.waiting.splice(0)) l.client.write(chunk);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
