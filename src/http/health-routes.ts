import type { Kysely } from 'kysely';
import { isReachable, type DbKind } from '../db/db.port.js';
import type { Database } from '../db/tables.js';
import type { Metrics } from './metrics.js';
import { sendJson, sendText, type Route } from './router.js';
import { sendStarting } from './server-pages.js';

export type ChannelStates = Record<string, string>;

/** Where start-up is: /healthz and /readyz answer from the moment the database is open, and say so. */
export interface StartupState {
  ready: boolean;
  /** Shutting down: /readyz says 503 so load balancers send no one here any more. */
  stopping?: boolean;
  step: 'migrations' | 'schedule' | 'services';
}

export function healthRoutes(db: Kysely<Database>, kind: DbKind, channels: ChannelStates, metrics: Metrics, startup: StartupState): Route[] {
  return [
    {
      // Liveness: the process is up and answering. It asks nothing of the database, so an
      // orchestrator never restarts a healthy replica because PostgreSQL is away for a while.
      method: 'GET',
      name: 'healthz',
      path: /^\/healthz$/,
      handler: (_req, res) => {
        const progress = startup.ready ? { ready: true } : { ready: false, starting: startup.step };
        sendJson(res, 200, { status: 'ok', db: kind, channels, ...progress });
      },
    },
    {
      // Readiness: whether this replica should get users now. What load balancers, the Docker
      // HEALTHCHECK and compose ask.
      method: 'GET',
      name: 'readyz',
      path: /^\/readyz$/,
      handler: async (_req, res) => {
        if (startup.stopping) {
          return sendJson(res, 503, { status: 'stopping', db: kind });
        }
        if (!startup.ready) {
          res.setHeader('retry-after', '1');
          return sendJson(res, 503, { status: 'starting', starting: startup.step, db: kind });
        }
        if (!(await isReachable(db))) {
          res.setHeader('retry-after', '1');
          return sendJson(res, 503, { status: 'unavailable', reason: 'database unreachable', db: kind });
        }
        sendJson(res, 200, { status: 'ready', db: kind });
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
 * Until start-up is done, every address but /healthz, /readyz and /metrics says so: 503 with
 * Retry-After, a page in Polish and English for a browser (a member opening a link), JSON else.
 */
export function startingRoutes(): Route[] {
  const handler: Route['handler'] = (req, res) => sendStarting(req, res);
  const path = /^(?!\/healthz$|\/readyz$|\/metrics$)/;
  return [
    { method: 'GET', name: 'starting', path, handler },
    { method: 'POST', name: 'starting', path, handler },
  ];
}
