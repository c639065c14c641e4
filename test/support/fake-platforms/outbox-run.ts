import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import { createEmailAdapter } from '../../../adapters/email/index.js';
import { createSlackAdapter } from '../../../adapters/slack/index.js';
import { createTeamsAdapter } from '../../../adapters/teams/index.js';
import { systemClock } from '../../../src/clock.js';
import type { Database } from '../../../src/db/tables.js';
import { Dispatcher } from '../../../src/delivery/dispatcher.js';
import { enqueue, type PlannedDelivery } from '../../../src/delivery/outbox.js';
import { pacingFrom, type PacingSettings } from '../../../src/delivery/platform-pacing.js';
import type { Logger } from '../../../src/log.js';
import type { BotPort, ChannelAdapter, ChannelKind, ChannelSender } from '../../../src/ports/channel.port.js';

/**
 * The service's own senders pointed at the fakes through the settings an operator would use
 * (SLACK_API_URL, a conversation reference's serviceUrl, SMTP_URL), the outbox filled, and the
 * real Dispatcher run on the real clock until every message is sent: what the tests and
 * `npm run bench -- platform-limits` share.
 */
export type Platform = 'slack' | 'teams' | 'email';

const idleBot: BotPort = {
  handle: async () => ({ language: 'pl', title: 'OK', text: 'OK' }),
  home: async () => ({ language: 'pl', title: 'OK', text: 'OK' }),
  handleOnce: async () => undefined,
  seenBefore: async () => false,
  firstTime: async () => true,
  linkPlace: async () => undefined,
};

/** Slack with SLACK_API_URL pointed at the fake (`${fake.url}/api/`). */
export function slackSender(apiUrl: string, log: Logger): ChannelAdapter {
  return createSlackAdapter({ botToken: 'xoxb-fake', signingSecret: 'fake-signing-secret-0123456789', apiUrl, botId: 'B', botUserId: 'UBOT', bot: idleBot, log, publicUrl: 'https://koop.example.org' });
}

/** Teams as it runs against a local emulator (TEAMS_DEV_NO_AUTH); each address names the fake as its serviceUrl. */
export function teamsSender(log: Logger): ChannelAdapter {
  return createTeamsAdapter({ devNoAuth: true, bot: idleBot, log, publicUrl: 'https://koop.example.org', connectorTimeoutMs: 10_000 });
}

/** E-mail with SMTP_URL pointed at the fake (`smtp.smtpUrl()`, plus any nodemailer options an operator may add). */
export function emailSender(smtpUrl: string, log: Logger): ChannelAdapter {
  return createEmailAdapter({ smtpUrl, outboxDir: mkdtempSync(join(tmpdir(), 'koop-unused-outbox-')), from: '"Kooperator" <kooperator@example.org>', log });
}

/** A conversation reference as the Teams adapter stores it when a person writes to the bot. */
export function teamsAddress(serviceUrl: string, conversation: string): string {
  return JSON.stringify({
    channelId: 'msteams',
    serviceUrl,
    conversation: { id: conversation, conversationType: 'personal', tenantId: 'tenant-1' },
    bot: { id: '28:kooperator', name: 'Kooperator' },
    user: { id: `29:${conversation}` },
  });
}

/** One message to send: to a person over their address, or (Slack) to a channel named by its id. */
export type Target = { person: string } | { place: string };

/**
 * Puts one message per target in the outbox, due now. Each distinct person address becomes a
 * person with that address on `platform`; a place is a channel a schedule file names.
 */
export async function queueMessages(db: Kysely<Database>, platform: Platform, targets: Target[], prefix = 'm'): Promise<void> {
  const people = new Map<string, number>();
  const addresses = [...new Set(targets.flatMap((t) => ('person' in t ? [t.person] : [])))];
  for (let i = 0; i < addresses.length; i += 500) {
    const chunk = addresses.slice(i, i + 500);
    const rows = await db
      .insertInto('people')
      .values(chunk.map((_, j) => ({ email: `${prefix}-${platform}-${i + j}@example.org`, name: `Osoba ${i + j}`, language: 'pl' as const, channels: JSON.stringify([platform]), source: 'fake-platforms' })))
      .returning(['id', 'email'])
      .execute();
    const byEmail = new Map(rows.map((r) => [r.email, r.id]));
    const links = chunk.map((address, j) => ({ person_id: byEmail.get(`${prefix}-${platform}-${i + j}@example.org`)!, channel: platform, external_id: `${prefix}-${platform}-${i + j}`, address }));
    await db.insertInto('person_channels').values(links).execute();
    for (const link of links) people.set(link.address, link.person_id);
  }
  const now = systemClock.now();
  const planned: PlannedDelivery[] = targets.map((target, i) => ({
    key: `${prefix}-${platform}-${i}`,
    kind: 'notice',
    ...('person' in target ? { personId: people.get(target.person)! } : { place: { address: target.place, language: 'pl' as const } }),
    channels: [platform as ChannelKind],
    payload: { language: 'pl', title: `Wiadomość ${i + 1}`, text: 'Spotkanie odbędzie się w **sali 14**.' },
    // Due one after another, in the targets' order: the dispatcher takes them in that order.
    dueAt: new Date(now.getTime() - targets.length + i),
  }));
  for (let i = 0; i < planned.length; i += 1000) await enqueue(db, planned.slice(i, i + 1000));
}

/** The real Dispatcher with the service's pacing from `pacing`, on the real clock, alone on its database. */
export function dispatcherFor(db: Kysely<Database>, sender: ChannelSender, pacing: PacingSettings, log: Logger): Dispatcher {
  return new Dispatcher({ db, clock: systemClock, log, workerId: 'fake-platforms', senders: new Map([[sender.kind, sender]]), pacing: pacingFrom(pacing), paceRecoveryMs: pacing.recoveryMs });
}

export interface RunResult {
  sent: number;
  /** Rows that ended failed, expired or cancelled: none expected. */
  lost: number;
  /** From the first claim to the last row sent, real milliseconds. */
  elapsedMs: number;
}

/**
 * Drains until no row is pending: the dispatcher sends what is due, and what the pacing put
 * back or a platform refused is due again shortly, so the loop waits for the next due time
 * (at most 50 ms: rows come due continuously) and drains again. Gives up after `limitMs`.
 */
export async function sendAll(db: Kysely<Database>, dispatcher: Dispatcher, limitMs: number): Promise<RunResult> {
  const started = performance.now();
  for (;;) {
    await dispatcher.drain();
    const left = await db.selectFrom('deliveries').select((eb) => eb.fn.countAll<string>().as('n')).where('state', 'in', ['pending']).executeTakeFirstOrThrow();
    if (Number(left.n) === 0) break;
    if (performance.now() - started > limitMs) throw new Error(`${left.n} messages still unsent after ${Math.round(limitMs / 1000)} s`);
    const next = await db.selectFrom('deliveries').select((eb) => eb.fn.min('next_attempt_at').as('at')).where('state', '=', 'pending').executeTakeFirst();
    const waitMs = next?.at ? new Date(next.at).getTime() - Date.now() : 10;
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.min(50, waitMs))));
  }
  const elapsedMs = performance.now() - started;
  const counts = await db.selectFrom('deliveries').select(['state']).select((eb) => eb.fn.countAll<string>().as('n')).groupBy('state').execute();
  const count = (state: string) => Number(counts.find((c) => c.state === state)?.n ?? 0);
  return { sent: count('sent'), lost: count('failed') + count('expired') + count('cancelled'), elapsedMs };
}
