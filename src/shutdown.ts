import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { StartupState } from './http/health-routes.js';
import type { Logger } from './log.js';

/** How long the whole stop may take: `docker stop` kills at 10 s, and the issue asks for 5. */
export const SHUTDOWN_MS = 5_000;

export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
  /** This step's share of the time left; it ends at the deadline even when it is not done. */
  budgetMs: number;
}

/**
 * Runs the steps of a stop in order, each for at most its budget, and never past `deadline`
 * (`performance.now()` ms: a duration of this process, not a time of the domain). A step that overruns is logged and left behind: the process is about to exit, and
 * what it held (a claimed delivery, a send in flight) is for the next start to sort out, as after
 * a crash, but with everything else closed properly. Resolves with the names of the steps cut short.
 */
export async function stopInOrder(steps: ShutdownStep[], deadline: number, log: Logger, now: () => number = () => performance.now()): Promise<string[]> {
  const cut: string[] = [];
  for (const step of steps) {
    const budget = Math.min(step.budgetMs, deadline - now());
    if (budget <= 0) {
      cut.push(step.name);
      continue;
    }
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      Promise.resolve()
        .then(step.run)
        .then(() => 'done' as const, (error: unknown) => (log.error({ err: error, step: step.name }, 'a step of the shutdown failed'), 'done' as const)),
      new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), budget))),
    ]);
    clearTimeout(timer);
    if (outcome === 'late') {
      cut.push(step.name);
      log.warn({ step: step.name, budgetMs: budget }, 'a step of the shutdown took too long; going on without it');
    }
  }
  return cut;
}

export interface StoppableService {
  startup: StartupState;
  server: Server;
  closeServer: (server: Server, graceMs: number) => Promise<void>;
  retention: { stop(): void };
  delivery: { stop(options: { deadlineMs: number }): Promise<void> };
  adapters: { stop(): Promise<void> }[];
  /** The inbound mail transports (IMAP reader, SMTP listener), when set. */
  inbound?: { stop(): Promise<void> };
  db: { close(): Promise<void> };
  log: Logger;
}

/**
 * The service's stop, in order: no new requests or claims; delivery (claims released, sends in
 * flight ended or cut off); the adapters; the connections still open; last the database, closed
 * properly (PGlite's files) with the time kept for it. Each step within its share of `deadline`.
 */
export function serviceStop(s: StoppableService): (deadline?: number) => Promise<void> {
  return async (deadline = performance.now() + SHUTDOWN_MS - 500) => {
    s.startup.stopping = true;
    const closing = s.closeServer(s.server, Math.max(0, deadline - performance.now() - 1_500));
    s.retention.stop();
    await stopInOrder(
      [
        // First no more mail is taken; a mail in hand is recorded or, cut off, stays unmarked and comes again.
        ...(s.inbound ? [{ name: 'inbound mail', run: () => s.inbound!.stop(), budgetMs: 400 }] : []),
        // The dispatcher keeps to its own deadline: claims released, sends in flight cut off.
        { name: 'delivery', run: () => s.delivery.stop({ deadlineMs: 2_500 }), budgetMs: 2_700 },
        { name: 'channel adapters', run: async () => void (await Promise.all(s.adapters.map((adapter) => adapter.stop()))), budgetMs: 500 },
        { name: 'http server', run: () => closing, budgetMs: 500 },
        { name: 'database', run: () => s.db.close(), budgetMs: 1_000 },
      ],
      deadline,
      s.log,
    );
  };
}
