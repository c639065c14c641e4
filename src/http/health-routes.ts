import type { Kysely } from 'kysely';
import { isReachable, type DbKind } from '../db/db.port.js';
import type { Database } from '../db/tables.js';
import type { Metrics } from './metrics.js';
import { sendJson, sendText, type Route } from './router.js';

export type ChannelStates = Record<string, string>;

export function healthRoutes(db: Kysely<Database>, kind: DbKind, channels: ChannelStates, metrics: Metrics): Route[] {
  return [
    {
      method: 'GET',
      name: 'healthz',
      path: /^\/healthz$/,
      handler: async (_req, res) => {
        const ok = await isReachable(db);
        sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', db: kind, channels });
      },
    },
    {
      method: 'GET',
      name: 'metrics',
      path: /^\/metrics$/,
      handler: async (_req, res) => sendText(res, 200, await metrics.registry.metrics(), metrics.registry.contentType),
    },
  ];
}
