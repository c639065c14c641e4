import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTeamsAdapter, type TeamsAdapterOptions } from '../../../adapters/teams/index.js';
import { Bot } from '../../../src/bot/bot.js';
import { FixedClock } from '../../../src/clock.js';
import type { Db, DbKind } from '../../../src/db/db.port.js';
import { createMetrics } from '../../../src/http/metrics.js';
import { createHttpServer } from '../../../src/http/server.js';
import { createLogger } from '../../../src/log.js';
import type { BotPort, ChannelAdapter } from '../../../src/ports/channel.port.js';
import { importSchedules } from '../../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../../src/schedule/load-schedule.js';
import { freshDatabase } from '../../support/databases.js';
import { FakeConnector } from './fake-connector.js';

export const BOT = { id: '28:kooperator-bot', name: 'Kooperator' };
export const log = createLogger('silent');

/** People of calendars/demo.yaml as Teams knows them, and one stranger. */
export const people = {
  anna: { id: '29:anna', aadObjectId: 'aad-anna', email: 'anna.nowak@example.org', name: 'Anna Nowak' },
  joanna: { id: '29:joanna', aadObjectId: 'aad-joanna', userPrincipalName: 'Joanna.Mazur@example.org', name: 'Joanna Mazur' },
  stranger: { id: '29:stranger', aadObjectId: 'aad-stranger', email: 'nobody@elsewhere.example', name: 'Nobody' },
};
export type Person = (typeof people)[keyof typeof people];

export interface Harness {
  db: Db;
  connector: FakeConnector;
  adapter: ChannelAdapter;
  url: string;
  post(activity: Record<string, unknown>, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export function realBot(db: Db): Bot {
  return new Bot({ db: db.db, clock: new FixedClock('2027-01-04T08:00:00Z'), publicUrl: 'https://koop.example.org', appSecret: 'k'.repeat(40), log });
}

/** A real database, the real Bot and the real adapter behind the real HTTP server; only Teams is fake. */
export async function startHarness(
  kind: DbKind,
  options: { adapter?: Partial<TeamsAdapterOptions>; bot?: (bot: Bot) => BotPort; db?: Db } = {},
): Promise<Harness> {
  const db = options.db ?? (await freshDatabase(kind));
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  if (!options.db) await importSchedules(db.db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' });
  const connector = await new FakeConnector().start();
  for (const person of Object.values(people)) connector.members.set(person.id, person);
  const bot = realBot(db);
  const adapter = createTeamsAdapter({ devNoAuth: true, bot: options.bot ? options.bot(bot) : bot, log, publicUrl: 'https://koop.example.org', ...options.adapter });
  const server: Server = createHttpServer({ routes: [], mounts: adapter.mounts, metrics: createMetrics(), log });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await adapter.start();
  return {
    db,
    connector,
    adapter,
    url,
    post: (activity, headers = {}) =>
      fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) }),
    async close() {
      await adapter.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connector.stop();
      await db.close();
    },
  };
}

let sequence = 0;

/** A Teams activity in a personal chat with the bot, as Bot Framework posts it. */
export function activity(connector: FakeConnector, person: Person, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message',
    id: `in-${++sequence}`,
    channelId: 'msteams',
    serviceUrl: connector.url,
    timestamp: '2027-01-04T08:00:00.000Z',
    locale: 'pl-PL',
    from: { id: person.id, aadObjectId: person.aadObjectId, name: person.name },
    recipient: BOT,
    conversation: { id: `a:personal-${person.aadObjectId}`, conversationType: 'personal', tenantId: 'tenant-1' },
    channelData: { tenant: { id: 'tenant-1' } },
    ...fields,
  };
}

export const message = (connector: FakeConnector, person: Person, text: string) => activity(connector, person, { text });

export const installed = (connector: FakeConnector, person: Person) =>
  activity(connector, person, { type: 'conversationUpdate', membersAdded: [{ id: BOT.id }] });
