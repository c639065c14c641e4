/**
 * Child process of the Slack benchmark (issue 3): the real service with Slack on over HTTP,
 * its Web API pointed at a fake Slack on loopback that answers users.info with the e-mail of
 * a member of the 500-team file (user `U<team>x<member>` → team-<team>.m<member>@example.org).
 * Tells the parent its URL over IPC and stops on SIGTERM.
 *
 *   BENCH_MODE=service  the service; DATABASE_URL set = PostgreSQL, else PGlite in DATA_DIR
 *   BENCH_MODE=bare     a bare Bolt app (same receiver) whose /pzk only acks, for scale
 *                       (`/pzk answer` acks with an answer the parent sends over IPC)
 */
import type { Server } from 'node:http';
import { App, HTTPReceiver } from '@slack/bolt';
import { loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { createLogger } from '../src/log.js';
import { openDatabase, startService, type RunningService } from '../src/main.js';
import { importSchedules } from '../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../src/schedule/load-schedule.js';
import { DEFAULT_ZONE, benchClock } from './fixtures.js';
import { generatedMemberEmail } from './generate-schedule.js';
import { serveUntilStopped } from './support.js';
import { FakeSlack } from '../test/support/fake-platforms/slack.js';

const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
const send = (message: { url: string } | { error: string }) => process.send?.(message);

async function service(): Promise<() => Promise<void>> {
  const api = await new FakeSlack({ limits: 'none', emailOf: generatedMemberEmail, keepAliveMs: 1000 }).start();
  const env = {
    DATA_DIR: process.env.DATA_DIR,
    DATABASE_URL: process.env.DATABASE_URL,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: `${api.url}/api/`,
    ...(process.env.PGLITE_SHARED_BUFFERS_MB ? { PGLITE_SHARED_BUFFERS_MB: process.env.PGLITE_SHARED_BUFFERS_MB } : {}),
  };
  const config = loadConfig(env);
  const clock = benchClock();
  const db = await openDatabase(config, 'import');
  try {
    await migrateToLatest(db.db);
    await importSchedules(db.db, await loadScheduleFiles([process.env.BENCH_SCHEDULE!]), { clock, defaultTimezone: DEFAULT_ZONE });
  } finally {
    await db.close();
  }
  const running = await startService(config, createLogger(config.logLevel), clock);
  await markBacklogSent(running, clock.now());
  send({ url: running.url });
  return async () => {
    await running.stop();
    await api.stop();
  };
}

/**
 * The benchmark measures commands in a service's ordinary day. Right after importing the
 * 500-team file the outbox holds its one-off backlog, above all 25 invitations to all 5,000
 * members (the invitations benchmark measures that); the bench clock stands still, so
 * the dispatcher would keep re-rendering it beside the commands for the whole run. So what is
 * due now counts as sent, as on a service that sent it long ago; later reminders stay planned.
 */
async function markBacklogSent(running: RunningService, now: Date): Promise<void> {
  await running.db.db
    .updateTable('deliveries')
    .set({ state: 'sent', sent_at: now, sent_channel: 'email' })
    .where('state', '=', 'pending')
    .where('next_attempt_at', '<=', now)
    .execute();
  // A batch the dispatcher claimed before this finishes on its own; then it sleeps till the next reminder.
}

async function bare(): Promise<() => Promise<void>> {
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, endpoints: ['/slack/events'] });
  // The service's Bolt options (adapters/slack/index.ts), so that only the work differs.
  const app = new App({ receiver, authorize: async () => ({ botToken: 'xoxb-bench', botId: 'BBOT', botUserId: 'UBOT' }), convoStore: false });
  // `/pzk answer` acks with the answer the parent last sent over IPC (the service's own answer,
  // byte for byte): what answering with content costs Bolt, apart from finding the answer.
  let answer: object | undefined;
  process.on('message', (m: { answer?: object }) => (answer = m.answer ?? answer));
  app.command('/pzk', async ({ ack, command }) => {
    await (command.text === 'answer' && answer ? ack(answer as never) : ack());
  });
  const server = (await app.start(0)) as Server;
  const address = server.address();
  send({ url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
  return () => app.stop().then(() => undefined);
}

serveUntilStopped(process.env.BENCH_MODE === 'bare' ? bare() : service());
