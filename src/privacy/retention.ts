import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import schedule from 'node-schedule';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import type { Logger } from '../log.js';
import { presenceRetentionRules } from '../participation/personal-data.js';
import { runAs } from '../precedence.js';

/**
 * What is purged once it is older than the retention period (RETENTION_MONTHS, default 12):
 * finished deliveries (what was said to whom, and the providers' answers), the idempotency
 * log of platform events, and schedule changes people were already told about. Another
 * area adds a rule here with one line.
 */
export interface RetentionRule {
  name: string;
  purge(db: Kysely<Database>, before: Date): Promise<number>;
}

const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows);

export const retentionRules: RetentionRule[] = [
  {
    name: 'deliveries',
    // Pending rows are never purged, however old: nothing is lost before it is sent or given up.
    purge: async (db, before) =>
      count(await db.deleteFrom('deliveries').where('state', 'in', ['sent', 'failed', 'expired', 'cancelled']).where('updated_at', '<', before).executeTakeFirst()),
  },
  { name: 'processed_events', purge: async (db, before) => count(await db.deleteFrom('processed_events').where('created_at', '<', before).executeTakeFirst()) },
  // A bounce older than the period says nothing about the address today.
  { name: 'mail_bounces', purge: async (db, before) => count(await db.deleteFrom('mail_bounces').where('last_bounce_at', '<', before).executeTakeFirst()) },
  {
    // Registration answers serve the activity itself (meals, beds, the bus): they go once it
    // ended (or was cancelled) longer ago than the retention period.
    name: 'registration_answers',
    purge: async (db, before) =>
      count(
        await db
          .deleteFrom('registration_answers')
          .where('activity_id', 'in', (eb) =>
            eb.selectFrom('activities').select('id').where((w) => w.or([w('ends_at', '<', before), w('cancelled_at', '<', before)])),
          )
          .executeTakeFirst(),
      ),
  },
  {
    name: 'schedule_changes',
    purge: async (db, before) =>
      count(await db.deleteFrom('schedule_changes').where('notified_at', 'is not', null).where('notified_at', '<', before).executeTakeFirst()),
  },
  {
    // Answers before meetings that took place more than the period ago (the occurrence key is a
    // local date; a day either way does not matter at months).
    name: 'meeting_answers',
    purge: async (db, before) => count(await db.deleteFrom('meeting_answers').where('occurrence_date', '<', before.toISOString().slice(0, 10)).executeTakeFirst()),
  },
  {
    // Membership history that ended more than the period ago: it answers only who was a member
    // of meetings whose presence and answers are purged too. An open period is never purged.
    name: 'membership_periods',
    purge: async (db, before) => count(await db.deleteFrom('membership_periods').where('ended_at', 'is not', null).where('ended_at', '<', before).executeTakeFirst()),
  },
  {
    // Absence periods that ended, or were removed, more than the period ago.
    name: 'absence_periods',
    purge: async (db, before) =>
      count(
        await db
          .deleteFrom('absence_periods')
          .where((eb) => eb.or([eb('ends_on', '<', before.toISOString().slice(0, 10)), eb('removed_at', '<', before)]))
          .executeTakeFirst(),
      ),
  },
  ...presenceRetentionRules,
  // The log of inbound mails: a mail older than this offered again is read anew (docs/inbound-mail.md).
  { name: 'inbound_mails', purge: async (db, before) => count(await db.deleteFrom('inbound_mails').where('received_at', '<', before).executeTakeFirst()) },
];

const retentionCutoff = (clock: Clock, months: number): Date => DateTime.fromJSDate(clock.now(), { zone: 'UTC' }).minus({ months }).toJSDate();

/** Purges everything older than `months` before now; returns how many rows each rule removed. */
export async function purgeExpired(db: Kysely<Database>, clock: Clock, months: number): Promise<Record<string, number>> {
  const before = retentionCutoff(clock, months);
  const purged: Record<string, number> = {};
  for (const rule of retentionRules) purged[rule.name] = await rule.purge(db, before);
  return purged;
}

/**
 * Removes the files in `folder` last written before `before` (the e-mail outbox folder of a
 * service without SMTP_URL holds whole messages, so it follows the same period). A missing
 * folder holds nothing; sub-folders are left alone.
 */
export async function purgeOldFiles(folder: string, before: Date): Promise<number> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let removed = 0;
  for (const name of names) {
    const path = join(folder, name);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile() || info.mtime >= before) continue;
    await unlink(path).catch(() => undefined);
    removed++;
  }
  return removed;
}

/**
 * The daily purge: once at start, then every 24 hours at an absolute instant from the
 * injected clock (like DeliveryService's daily planning; never a zoned cron rule).
 */
export class RetentionJob {
  private job: schedule.Job | undefined;
  private stopped = false;

  /** `folders`: folders of files that hold personal data and follow the same period (the e-mail outbox). */
  constructor(private readonly options: { db: Kysely<Database>; clock: Clock; log: Logger; months: number; folders?: string[] }) {}

  async start(): Promise<void> {
    await this.run();
  }

  private run(): Promise<void> {
    // Background work, like the daily re-plan: requests and the dispatcher go first (src/precedence.ts).
    return runAs('background', () => this.purge());
  }

  private async purge(): Promise<void> {
    const { db, clock, log, months, folders = [] } = this.options;
    try {
      const purged = await purgeExpired(db, clock, months);
      for (const folder of folders) purged[`files in ${folder}`] = await purgeOldFiles(folder, retentionCutoff(clock, months));
      log.info({ purged, months }, 'Retention: purged records older than the retention period');
    } catch (error) {
      log.error({ err: error }, 'retention purge failed');
    }
    if (this.stopped) return;
    this.job = schedule.scheduleJob(new Date(clock.now().getTime() + 24 * 3600_000), () => void this.run()) ?? undefined;
  }

  stop(): void {
    this.stopped = true;
    this.job?.cancel();
  }
}
