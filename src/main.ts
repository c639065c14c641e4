import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { setImmediate } from 'node:timers/promises';
import { connect } from '../adapters/db/connect.js';
import type { Bot } from './bot/bot.js';
import { systemClock, type Clock } from './clock.js';
import { listenerUrl, type Config } from './config.js';
import { lockDataDir, type DataDirLock } from './db/data-dir-lock.js';
import type { Db } from './db/db.port.js';
import type { FeedService } from './feeds/feed-service.js';
import type { Logger } from './log.js';
import { serviceStop } from './shutdown.js';
import type { DeliveryService } from './delivery/delivery-service.js';
import { SettingsAlarm, watchSettings } from './delivery/settings-alarm.js';
import type { StartupState } from './http/health-routes.js';
import type { FastPath, Mount, Route } from './http/router.js';
import type { ChannelAdapter, ChannelKind, ChannelSender } from './ports/channel.port.js';
import { adviseOnHeap, channelModes, healthParts, logStartup, nextStep, serviceParts } from './service-startup.js';
import { startInBackground } from './channel-start.js';
import { operatorMessage } from './operator-errors.js';
import type { Registry } from 'prom-client';
import type { Answered } from './invitations/plan-activity-reminders.js';

/**
 * The composition root: the only file in src/ that imports adapters/. Everything is wired
 * by hand with constructors and parameters.
 */
export interface OpenedDb extends Db {
  lock?: DataDirLock;
}

export async function openDatabase(config: Config, command: string, log?: Logger): Promise<OpenedDb> {
  if (config.databaseUrl) {
    return connect({
      databaseUrl: config.databaseUrl,
      timeoutMs: config.databaseTimeoutMs,
      replicaTimeoutMs: config.replicaTimeoutMs,
      namedStatements: config.databasePreparedStatements,
      onConnectionError: (error) => log?.warn({ err: error }, 'a database connection broke; it is replaced at the next query (/readyz says 503 while the database is unreachable)'),
    });
  }
  mkdirSync(config.dataDir, { recursive: true });
  const lock = await lockDataDir(config.dataDir, command);
  try {
    const db = await connect({ pgliteDir: config.dataDir, pgliteSharedBuffersMb: config.pgliteSharedBuffersMb });
    return { ...db, lock, close: async () => (await db.close(), lock.release()) };
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** Loaded when first needed: ical-generator is not on the way to the first /healthz. */
export async function calendarRenderer(config: Config) {
  const { IcalGeneratorRenderer } = await import('../adapters/ical/ical-renderer.js');
  return new IcalGeneratorRenderer(config.defaultTimezone);
}

export interface RunningService {
  server: Server;
  db: OpenedDb;
  url: string;
  feeds: FeedService;
  bot: Bot;
  delivery: DeliveryService;
  /** Stops within the deadline (`performance.now()` ms; default SHUTDOWN_MS from now, less a margin for exiting). */
  stop(deadline?: number): Promise<void>;
}

export async function startService(settings: Config, log: Logger, clock: Clock = systemClock): Promise<RunningService> {
  let config = settings;
  const early = healthParts();
  early.catch(() => undefined);
  const db = await openDatabase(config, 'serve', log);
  let server: Server | undefined;
  try {
    // /healthz answers as soon as the database is open (a restart's first answer comes before
    // the rest is loaded); it says `ready: false` and every other address answers 503 until
    // the migrations, the demo check and the wiring below are done.
    // The e-mail adapter is not used here, only loaded early with the rest: channelAdapters()
    // needs it once the database is open.
    const loading = Promise.all([serviceParts(), import('../adapters/email/index.js')]).then(([parts]) => parts);
    loading.catch(() => undefined);
    const { createHttpServer, listen, closeServer, healthRoutes, startingRoutes, createMetrics, migrateToLatest } = await early;
    const metrics = createMetrics();
    const channels = channelModes(config);
    const startup: StartupState = { ready: false, step: 'migrations' };
    const health = healthRoutes(db.db, db.kind, channels, metrics, startup);
    const routes: Route[] = [...health, ...startingRoutes()];
    const mounts: Mount[] = [];
    const fast: FastPath[] = [];
    server = createHttpServer({ routes, mounts, fast, metrics, log });
    const url = await listen(server, config.port, config.host);
    db.lock?.describe(url);
    // PORT=0 and a PORT without PUBLIC_URL: links go where this service really listens.
    if (config.publicUrlFromListener) config = { ...config, publicUrl: listenerUrl(config.host, Number(new URL(url).port)) };
    await setImmediate();

    await migrateToLatest(db.db);
    await nextStep(startup, 'schedule');
    const parts = await loading;
    const { Bot, FeedService, feedRoutes, feedFastPath, SchedulePages, importDemoIfEmpty, DeliveryService } = parts;
    const { assetRoutes, meRoutes, RetentionJob, formRoutes, unsubscribeRoutes, rsvpRoutes, reportPageRoutes, parseMailbox } = parts;
    const { answersPageRoutes, deliveryReportPageRoutes, attendanceRoutes, certificateRoutes, meetingAnswerRoutes, presenceRoutes, activityPresenceRoutes } = parts;
    if (db.kind === 'pglite') await importDemoIfEmpty(db.db, config, clock, log);
    await nextStep(startup, 'services');
    const renderer = await calendarRenderer(config);
    // On PostgreSQL other replicas issue and revoke feed links too: tokens are checked at every request.
    const feeds = new FeedService({ db: db.db, renderer, clock, sharedDatabase: db.kind === 'postgres' });
    const schedulePages = new SchedulePages({ db: db.db, clock, publicUrl: config.publicUrl, timezone: config.defaultTimezone });
    // The bot tells the delivery service about changes it makes; the delivery service sends
    // through the adapters, which hand what people do to the bot.
    let delivery: DeliveryService | undefined;
    // An invitation answered (a chat button, its link, a mail): that person's reminders of it planned alone, started, not awaited.
    const planAnswer = (answered: Answered) => void delivery?.answered(answered).catch((error) => log.error({ err: error }, 'planning after an answer failed'));
    const bot = new Bot({
      db: db.db,
      clock,
      publicUrl: config.publicUrl,
      appSecret: config.appSecret,
      log,
      onDataChanged: () => {
        feeds.invalidate();
        schedulePages.invalidate();
        delivery?.changed().catch((error) => log.error({ err: error }, 'processing a schedule change failed'));
      },
      onAnswered: (answered) => {
        feeds.invalidate();
        schedulePages.invalidate();
        planAnswer(answered);
      },
    });
    const adapters = await channelAdapters(config, bot, log);
    // A channel refusing our credentials is told to the operators (docs/input-limits.md).
    const settingsAlarm = new SettingsAlarm({ db: db.db, clock, log, registry: metrics.registry });
    delivery = new DeliveryService({
      db: db.db,
      clock,
      log,
      senders: new Map<ChannelKind, ChannelSender>(adapters.map((a) => [a.kind, watchSettings(a.sender, settingsAlarm)])),
      publicUrl: config.publicUrl,
      appSecret: config.appSecret,
      registry: metrics.registry,
      workerId: `${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      sharedDatabase: db.kind === 'postgres',
      ...(db.openSession ? { openSession: () => db.openSession!() } : {}),
      replicaTimeoutMs: config.replicaTimeoutMs,
      pacing: config.pacing,
      earlySendMaxMs: config.earlySendMaxMs,
      invitations: { appSecret: config.appSecret, calendar: renderer, organizer: parseMailbox(config.mailFrom) },
      mailFrom: config.mailFrom,
    });
    routes.splice(
      0,
      routes.length,
      ...health,
      ...feedRoutes(feeds),
      ...schedulePages.routes(),
      ...assetRoutes(),
      ...meRoutes({ db: db.db, clock, appSecret: config.appSecret, publicUrl: config.publicUrl, changed: () => (feeds.invalidate(), schedulePages.invalidate()), queued: () => delivery?.loop.queued() }),
      ...formRoutes({ db: db.db, clock, publicUrl: config.publicUrl, appSecret: config.appSecret, log, onChanged: () => delivery?.loop.queued() }),
      ...reportPageRoutes({ db: db.db, clock, appSecret: config.appSecret, publicUrl: config.publicUrl, onChanged: () => delivery?.loop.queued() }),
      ...presenceRoutes({ db: db.db, clock, appSecret: config.appSecret, publicUrl: config.publicUrl }),
      ...activityPresenceRoutes({ db: db.db, clock, appSecret: config.appSecret, publicUrl: config.publicUrl, queued: () => delivery?.loop.queued() }),
      ...answersPageRoutes({ db: db.db, clock, appSecret: config.appSecret, publicUrl: config.publicUrl, onQueued: () => delivery?.loop.queued() }),
      ...attendanceRoutes({ db: db.db, clock, appSecret: config.appSecret }),
      ...certificateRoutes({ db: db.db, clock, appSecret: config.appSecret, publicUrl: config.publicUrl }),
      ...deliveryReportPageRoutes({ db: db.db, clock, appSecret: config.appSecret }),
      ...unsubscribeRoutes({ db: db.db, clock, appSecret: config.appSecret, publicUrl: config.publicUrl }),
      ...meetingAnswerRoutes({ db: db.db, clock, appSecret: config.appSecret, onAnswered: () => (feeds.invalidate(), delivery?.loop.queued()) }),
      ...rsvpRoutes({ db: db.db, clock, appSecret: config.appSecret, onAnswered: (answer) => (feeds.invalidate(), planAnswer(answer)) }),
    );
    mounts.push(...adapters.flatMap((a) => a.mounts));
    // Feeds already built for the current data version, answered before any routing (src/http/feed-routes.ts).
    fast.push(feedFastPath(feeds, metrics));
    // Socket Mode needs Slack to be reached; the rest of the service does not wait for it.
    const background = adapters.filter((adapter) => adapter.kind === 'slack' && channels.slack === 'socket');
    for (const adapter of adapters) if (!background.includes(adapter)) await adapter.start();
    const backgroundStarts = background.map((adapter) =>
      startInBackground(adapter, { set: (value) => void (channels.slack = `socket: ${value}`) }, log, (error) => operatorMessage(error, config)),
    );
    // A listener port in use stops the start here, before the service says it is ready.
    const inbound = await startInbound(config, db.db, clock, log, metrics.registry, (answered) => (feeds.invalidate(), schedulePages.invalidate(), answered ? planAnswer(answered) : delivery?.loop.queued()), channels);
    startup.ready = true;
    await delivery!.start();
    const retention = new RetentionJob({ db: db.db, clock, log, months: config.retentionMonths, folders: [join(config.dataDir, 'outbox')] });
    await retention.start();
    logStartup(log, config, db.kind, url, channels);
    // Not awaited: the service is ready and sending, and its stop is wired only once this returns;
    // a count behind a lock on people would hold the start up to the query timeout. It never
    // rejects (a failed count, also on a database closed by an early stop, only skips the advice).
    void adviseOnHeap(db.db, log);
    // Slack in Socket Mode is stopped through its background start (which stops it if it started).
    const stoppable = [...adapters.filter((adapter) => !background.includes(adapter)), ...backgroundStarts];
    const stop = serviceStop({ startup, server, closeServer, retention, delivery: delivery!, adapters: stoppable, db, log, ...(inbound ? { inbound } : {}) });
    return { server, db, url, feeds, bot, delivery: delivery!, stop };
  } catch (error) {
    if (server?.listening) await (await early).closeServer(server);
    await db.close();
    throw error;
  }
}

/**
 * Inbound mail (docs/inbound-mail.md), when IMAP_URL or INBOUND_SMTP_PORT is set: the transports
 * (adapters/email-inbound) hand each mail to the core's sink. Loaded only when set.
 */
async function startInbound(config: Config, db: Db['db'], clock: Clock, log: Logger, registry: Registry, onChanged: (answered?: Answered) => void, health: Record<string, string>): Promise<{ stop(): Promise<void> } | undefined> {
  if (!config.imapUrl && config.inboundSmtpPort === undefined) return undefined;
  const [{ startInboundMail }, { inboundMetrics }, { createInboundMailSink }] = await Promise.all([
    import('../adapters/email-inbound/index.js'),
    import('./inbound/inbound-metrics.js'),
    import('./inbound/receive-mail.js'),
  ]);
  const sink = createInboundMailSink({ db, clock, secret: config.appSecret, mailFrom: config.mailFrom, log, onChanged });
  return startInboundMail({
    ...(config.imapUrl ? { imapUrl: config.imapUrl } : {}),
    ...(config.inboundSmtpPort !== undefined ? { smtpPort: config.inboundSmtpPort } : {}),
    host: config.host,
    mailFrom: config.mailFrom,
    sink,
    log,
    metrics: inboundMetrics(registry),
    // Shown by /healthz beside the channels, only when set.
    state: (name, value) => void (health[name] = value),
  });
}

/**
 * The channels that are turned on. Platform SDKs are loaded only when their channel is on, so a
 * service without Teams never pays for loading botbuilder.
 */
async function channelAdapters(config: Config, bot: Bot, log: Logger): Promise<ChannelAdapter[]> {
  const { createEmailAdapter } = await import('../adapters/email/index.js');
  const adapters: ChannelAdapter[] = [
    createEmailAdapter({ smtpUrl: config.smtpUrl, outboxDir: join(config.dataDir, 'outbox'), from: config.mailFrom, log }),
  ];
  if (config.slack) {
    const { createSlackAdapter } = await import('../adapters/slack/index.js');
    adapters.push(createSlackAdapter({ ...config.slack, bot, log, publicUrl: config.publicUrl }));
  }
  if (config.teams) {
    const { createTeamsAdapter } = await import('../adapters/teams/index.js');
    adapters.push(createTeamsAdapter({ ...config.teams, bot, log, publicUrl: config.publicUrl }));
  }
  return adapters;
}

/** `chat --as <email>`: the bot in the terminal, on the same database as the service. */
export async function runTerminalChat(config: Config, log: Logger, email: string, clock: Clock = systemClock): Promise<void> {
  const db = await openDatabase(config, 'chat');
  try {
    const [{ runConsoleChat }, { Bot }, { importDemoIfEmpty }, { migrateToLatest }] = await Promise.all([
      import('../adapters/console/console-chat.js'),
      import('./bot/bot.js'),
      import('./schedule/demo-import.js'),
      import('./db/migrate.js'),
    ]);
    await migrateToLatest(db.db);
    if (db.kind === 'pglite') await importDemoIfEmpty(db.db, config, clock, log);
    const bot = new Bot({ db: db.db, clock, publicUrl: config.publicUrl, appSecret: config.appSecret, log });
    await runConsoleChat({ email, handle: (incoming) => bot.handle(incoming), input: process.stdin, output: process.stdout });
  } finally {
    await db.close();
  }
}
