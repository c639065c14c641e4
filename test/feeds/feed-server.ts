import type { AddressInfo } from 'node:net';
import type { FeedService } from '../../src/feeds/feed-service.js';
import { feedFastPath, feedRoutes } from '../../src/http/feed-routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';

export interface FeedServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  metrics: ReturnType<typeof createMetrics>;
  close(): Promise<void>;
}

/** The feeds over HTTP on 127.0.0.1, as src/main.ts wires them: the fast path first, the routes behind it. */
export async function serveFeeds(feeds: FeedService): Promise<FeedServer> {
  const metrics = createMetrics();
  const server = createHttpServer({ routes: feedRoutes(feeds), mounts: [], fast: [feedFastPath(feeds, metrics)], metrics, log: createLogger('silent') });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    metrics,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
