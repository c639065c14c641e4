import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { createSlackAdapter } from '../../adapters/slack/index.js';
import { createTeamsAdapter } from '../../adapters/teams/index.js';
import { Bot } from '../../src/bot/bot.js';
import { FixedClock } from '../../src/clock.js';
import type { Db, DbKind } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { rsvpRoutes } from '../../src/http/rsvp-routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createHttpServer } from '../../src/http/server.js';
import { parseMailbox } from '../../src/invitations/invitation-message.js';
import { createLogger } from '../../src/log.js';
import type { ChannelAdapter, ChannelKind, ChannelSender } from '../../src/ports/channel.port.js';
import { startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { FakeSlackApi } from '../adapters/slack/fake-slack-api.js';
import { SIGNING_SECRET, SlackRequests } from '../adapters/slack/slack-requests.js';
import { FakeConnector } from '../adapters/teams/fake-connector.js';
import { installed, type Person } from '../adapters/teams/harness.js';
import { freshDatabase } from '../support/databases.js';
import { importFixture } from './support.js';

export const FROM = '"Kooperator RCPS" <kooperator@example.org>';
export const SECRET = 's'.repeat(40);
const log = createLogger('silent');

/** lodz1–4 use Slack, lowicz1–4 Teams, everyone else e-mail (the fixture's channels). */
export const slackUser = (i: number) => ({ id: `ULODZ${i}`, email: `lodz${i}@example.org` });
export const teamsUser = (i: number): Person =>
  ({ id: `29:lowicz${i}`, aadObjectId: `aad-lowicz${i}`, email: `lowicz${i}@example.org`, name: `Osoba ${i} lowicz` }) as Person;

export interface ChannelHarness {
  db: Db;
  clock: FixedClock;
  url: string;
  bot: Bot;
  slackApi: FakeSlackApi;
  slack: SlackRequests;
  connector: FakeConnector;
  smtp: FakeSmtp;
  dispatcher: Dispatcher;
  postTeams(activity: Record<string, unknown>): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The real service pieces for all three channels at once: the Slack adapter (Bolt, signed
 * requests, Web API at a fake), the Teams adapter (Bot Framework activities, a fake connector),
 * e-mail over a real SMTP server, the /rsvp routes, the real Bot and the real dispatcher.
 */
export async function startChannelHarness(kind: DbKind): Promise<ChannelHarness> {
  const clock = new FixedClock('2027-02-01T09:00:00Z');
  const db = await freshDatabase(kind);
  await importFixture(db.db, clock);
  const slackApi = await new FakeSlackApi().start();
  for (let i = 1; i <= 4; i++) slackApi.users.set(slackUser(i).id, slackUser(i).email);
  const connector = await new FakeConnector().start();
  for (let i = 1; i <= 4; i++) connector.members.set(teamsUser(i).id, teamsUser(i));
  const smtp = await startSmtp();
  const bot = new Bot({ db: db.db, clock, publicUrl: 'https://koop.example.org', appSecret: SECRET, log });
  const adapters: ChannelAdapter[] = [
    createSlackAdapter({ botToken: 'xoxb-test', signingSecret: SIGNING_SECRET, apiUrl: `${slackApi.url}/api/`, botId: 'BKOOP', botUserId: 'UKOOP', bot, log, publicUrl: 'https://koop.example.org' }),
    createTeamsAdapter({ devNoAuth: true, bot, log, publicUrl: 'https://koop.example.org' }),
    createEmailAdapter({ smtpUrl: `smtp://127.0.0.1:${smtp.port}?ignoreTLS=true`, outboxDir: mkdtempSync(join(tmpdir(), 'outbox-')), from: FROM, log }),
  ];
  const server: Server = createHttpServer({
    routes: rsvpRoutes({ db: db.db, clock, appSecret: SECRET }),
    mounts: adapters.flatMap((a) => a.mounts),
    metrics: createMetrics(),
    log,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  for (const a of adapters) await a.start();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dispatcher = new Dispatcher({
    db: db.db,
    clock,
    log,
    workerId: 'test',
    senders: new Map<ChannelKind, ChannelSender>(adapters.map((a) => [a.kind, a.sender])),
    render: deliveryRenderer(db.db, url, SECRET, { appSecret: SECRET, calendar: new IcalGeneratorRenderer('Europe/Warsaw'), organizer: parseMailbox(FROM) }),
  });
  const slack = new SlackRequests(`${url}/slack/events`);
  const postTeams = (activity: Record<string, unknown>) =>
    fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  // People link themselves the way they would: a first command in Slack, installing the app in Teams.
  for (let i = 1; i <= 4; i++) {
    await slack.command(slackUser(i).id, 'pomoc');
    await postTeams(installed(connector, teamsUser(i)));
  }
  slackApi.calls.length = 0;
  connector.calls.length = 0;
  return {
    db,
    clock,
    url,
    bot,
    slackApi,
    slack,
    connector,
    smtp,
    dispatcher,
    postTeams,
    async close() {
      for (const a of adapters) await a.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await slackApi.stop();
      await connector.stop();
      await smtp.close();
      await db.close();
    },
  };
}
