import type { Kysely } from 'kysely';
import { isReachable, type DbKind } from '../db/db.port.js';
import type { Database } from '../db/tables.js';
import type { Metrics } from './metrics.js';
import { sendJson, sendText, type Route } from './router.js';
import { sendStarting } from './server-pages.js';

export type ChannelStates = Record<string, string>;

/** Where start-up is: /healthz answers from the moment the database is open, and says so. */
export interface StartupState {
  ready: boolean;
  step: 'migrations' | 'schedule' | 'services';
}

export function healthRoutes(db: Kysely<Database>, kind: DbKind, channels: ChannelStates, metrics: Metrics, startup: StartupState): Route[] {
  return [
    {
      method: 'GET',
      name: 'healthz',
      path: /^\/healthz$/,
      handler: async (_req, res) => {
        // As it stands when asked: on PGlite the check below waits for the start-up's own queries.
        const progress = startup.ready ? { ready: true } : { ready: false, starting: startup.step };
        const ok = await isReachable(db);
        sendJson(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', db: kind, channels, ...progress });
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

/**
 * Until start-up is done, every address but /healthz and /metrics says so: 503 with
 * Retry-After, a page in Polish and English for a browser (a member opening a link), JSON else.
 */
export function startingRoutes(): Route[] {
  const handler: Route['handler'] = (req, res) => sendStarting(req, res);
  const path = /^(?!\/healthz$|\/metrics$)/;
  return [
    { method: 'GET', name: 'starting', path, handler },
    { method: 'POST', name: 'starting', path, handler },
  ];
}
