import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, as the fault a test makes: `cut()` drops
 * every connection and refuses new ones (a database restarting), `pause()` keeps connections
 * open but carries no byte (a database frozen, a network gone quiet), `restore()` ends either.
 */
export interface TcpProxy {
  readonly port: number;
  cut(): Promise<void>;
  pause(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let paused = false;
  const held: Socket[] = [];
  const pipe = (client: Socket) => {
    const upstream = createConnection(target);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };
  const onConnection = (client: Socket) => {
    if (paused) {
      sockets.add(client);
      client.on('error', () => undefined);
      return void held.push(client);
    }
    pipe(client);
  };
  let server: Server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const closeServer = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  const dropAll = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    held.length = 0;
  };
  return {
    port,
    async cut() {
      paused = false;
      const closing = closeServer();
      dropAll();
      await closing;
    },
    pause() {
      paused = true;
      // Open connections stay open, and carry nothing either way.
      for (const s of sockets) s.pause();
      for (const s of sockets) s.unpipe?.();
    },
    async restore() {
      if (paused) {
        paused = false;
        dropAll(); // what was frozen is now broken, as after a network outage
      }
      if (!server.listening) {
        server = createServer(onConnection);
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
      }
    },
    async close() {
      const closing = closeServer();
      dropAll();
      await closing;
    },
  };
}
