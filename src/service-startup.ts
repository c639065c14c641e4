import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from './db/tables.js';
import { setImmediate } from 'node:timers/promises';
import type { Config } from './config.js';
import type { StartupState } from './http/health-routes.js';
import type { Logger } from './log.js';

// How the service starts quickly: what is loaded when, and how far it has come. The wiring
// itself, and every import of adapters/, stays in main.ts, the composition root.

/**
 * The service's parts, loaded from the moment the database is open while /healthz already
 * answers: on a restart, module loading and PGlite's start-up are the two big costs, and only
 * the database is needed to say whether the service is healthy.
 */
export async function serviceParts() {
  const [bot, feeds, feedRoutes, schedulePage, demo, delivery, assets, me, retention, forms, unsubscribe, rsvp, invitation, reportPage, answersPage, deliveryReportPage, presence, activityPresence, attendance, certificates, meetingAnswer] = await Promise.all([
    import('./bot/bot.js'),
    import('./feeds/feed-service.js'),
    import('./http/feed-routes.js'),
    import('./http/schedule-page.js'),
    import('./schedule/demo-import.js'),
    import('./delivery/delivery-service.js'),
    import('./http/assets.js'),
    import('./http/me/me-routes.js'),
    import('./privacy/retention.js'),
    import('./reports/form-routes.js'),
    import('./http/unsubscribe-page.js'),
    import('./http/rsvp-routes.js'),
    import('./invitations/invitation-message.js'),
    import('./reports/report-page-routes.js'),
    import('./invitations/answers-page.js'),
    import('./announcements/report-page.js'),
    import('./participation/presence-routes.js'),
    import('./participation/activity-presence-routes.js'),
    import('./participation/attendance-routes.js'),
    import('./participation/certificate-routes.js'),
    import('./http/meeting-answer-routes.js'),
  ]);
  return {
    ...bot, ...feeds, ...feedRoutes, ...schedulePage, ...demo, ...delivery,
    ...assets, ...me, ...retention, ...forms, ...unsubscribe, ...rsvp, ...reportPage, ...answersPage, ...deliveryReportPage, ...presence, ...activityPresence, ...attendance, ...certificates, ...meetingAnswer, parseMailbox: invitation.parseMailbox,
  };
}

/** What answers /healthz, loaded while the database opens. */
export async function healthParts() {
  const [server, health, metrics, migrate] = await Promise.all([
    import('./http/server.js'),
    import('./http/health-routes.js'),
    import('./http/metrics.js'),
    import('./db/migrate.js'),
  ]);
  return { ...server, ...health, ...metrics, ...migrate };
}

/** Which channels are on, and how: /healthz and the start-up log say it. */
export function channelModes(config: Config): Record<'slack' | 'teams' | 'email', string> {
  return {
    slack: config.slack ? (config.slack.appToken ? 'socket' : 'http') : 'off',
    teams: config.teams ? (config.teams.devNoAuth ? 'dev-no-auth' : 'on') : 'off',
    email: config.smtpUrl ? 'smtp' : 'outbox',
  };
}

/**
 * PGlite's queries chain on promises alone, so a long step never lets the event loop read a
 * request: between steps it does, and a /healthz asked meanwhile is answered with the step.
 */
export async function nextStep(startup: StartupState, step: StartupState['step']): Promise<void> {
  startup.step = step;
  await setImmediate();
}

/** Live people above which V8's semi-spaces under SEMI_SPACE_FOR_MANY_MB are too small (docs/operations.md, "Sizing the heap"). */
export const MANY_PEOPLE = 10_000;
export const SEMI_SPACE_FOR_MANY_MB = 16;

/**
 * What to tell the operator of a deployment this large on semi-spaces this small (MB, as
 * `--max-semi-space-size` gave them; undefined: V8's own, 16 MB), or nothing. The image and
 * `npm start` give V8 1 MB semi-spaces so that a voivodeship's service stays under 150–256 MB;
 * with 30,000 members the national week's busy hours then spent the service's CPU collecting
 * the young generation and 7,167 reminders came too late to be of use, where 16 MB lost none,
 * with the old generation at 512 MB as well as at 2048 (docs/benchmarks.md, "Fourteenth
 * session"). Said once at start, where the operator looks.
 */
export function heapAdvice(livePeople: number, semiSpaceMb: number | undefined): string | undefined {
  if (livePeople <= MANY_PEOPLE || !smallSemiSpaces(semiSpaceMb)) return undefined;
  return (
    `${livePeople} people on V8 semi-spaces of ${semiSpaceMb} MB: too small for a deployment this large, reminders may go out late in busy hours. ` +
    'Give node --max-semi-space-size=16 (the image: docker run -e NODE_OPTIONS="--max-old-space-size=512 --max-semi-space-size=16"; npm start\'s own options win over NODE_OPTIONS, so instead of it: node --max-old-space-size=512 --max-semi-space-size=16 bin/kooperator.js serve), see docs/operations.md "Sizing the heap"'
  );
}

/** Semi-spaces given and under SEMI_SPACE_FOR_MANY_MB (undefined: V8's own size, which is not). */
const smallSemiSpaces = (semiSpaceMb: number | undefined): semiSpaceMb is number => semiSpaceMb !== undefined && semiSpaceMb < SEMI_SPACE_FOR_MANY_MB;

/**
 * The `--max-semi-space-size` node runs with (MB), undefined when none was given: NODE_OPTIONS
 * first, then the command line's options, the last one winning, as V8 takes them (V8 spells
 * its flags with `-` or `_`).
 */
export function semiSpaceOf(execArgv: readonly string[], nodeOptions: string | undefined): number | undefined {
  const words = [...(nodeOptions ?? '').split(/\s+/).filter(Boolean), ...execArgv];
  let found: number | undefined;
  words.forEach((word, i) => {
    const match = /^--max[-_]semi[-_]space[-_]size(?:=(.*))?$/.exec(word);
    if (!match) return;
    const value = Number(match[1] ?? words[i + 1]);
    if (Number.isFinite(value)) found = value;
  });
  return found;
}

/** Logs heapAdvice() for this database and these semi-spaces (this process's); a failed count only skips the advice. */
export async function adviseOnHeap(db: Kysely<Database>, log: Pick<Logger, 'warn' | 'debug'>, semiSpaceMb = semiSpaceOf(process.execArgv, process.env.NODE_OPTIONS)): Promise<void> {
  try {
    // Large enough for any number of people: no count.
    if (!smallSemiSpaces(semiSpaceMb)) return;
    const { n } = await db.selectFrom('people').select((eb) => eb.fn.countAll<number>().as('n')).where('removed_at', 'is', null).executeTakeFirstOrThrow();
    const advice = heapAdvice(Number(n), semiSpaceMb);
    if (advice) log.warn({ people: Number(n), semiSpaceMb }, advice);
  } catch (error) {
    log.debug({ err: error }, 'could not count people for the heap advice');
  }
}

export function logStartup(log: Logger, config: Config, kind: string, url: string, channels: Record<string, string>): void {
  log.info({ url, db: kind, channels }, `Kooperator is listening on ${url}`);
  log.info(
    { publicUrl: config.publicUrl },
    config.publicUrlFromListener
      ? `Links use ${config.publicUrl} (PUBLIC_URL is unset: the address this service listens on; set PUBLIC_URL to the address people reach it at)`
      : `Links use ${config.publicUrl} (PUBLIC_URL)`,
  );
  log.info(
    { feeds: [`${config.publicUrl}/calendars/all.ics`, `${config.publicUrl}/calendars/teams/{teamId}.ics`] },
    `Schedule page ${config.publicUrl}/ and feeds ${config.publicUrl}/calendars/all.ics`,
  );
  if (channels.slack === 'off') log.info('Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) to turn it on');
  if (channels.teams === 'off') log.info('Teams is off: set MicrosoftAppId, MicrosoftAppPassword and MicrosoftAppType to turn it on');
  if (!config.imapUrl && config.inboundSmtpPort === undefined) log.info('Inbound mail is off: set IMAP_URL or INBOUND_SMTP_PORT to read replies and bounces (docs/inbound-mail.md)');
  if (channels.email === 'outbox') log.info(`E-mail is written to ${join(config.dataDir, 'outbox')}: set SMTP_URL to send it`);
}
