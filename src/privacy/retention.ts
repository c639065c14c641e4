import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import schedule from 'node-schedule';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import type { Logger } from '../log.js';

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
  {
    name: 'schedule_changes',
    purge: async (db, before) =>
      count(await db.deleteFrom('schedule_changes').where('notified_at', 'is not', null).where('notified_at', '<', before).executeTakeFirst()),
  },
];

/** Purges everything older than `months` before now; returns how many rows each rule removed. */
export async function purgeExpired(db: Kysely<Database>, clock: Clock, months: number): Promise<Record<string, number>> {
  const before = DateTime.fromJSDate(clock.now(), { zone: 'UTC' }).minus({ months }).toJSDate();
  const purged: Record<string, number> = {};
  for (const rule of retentionRules) purged[rule.name] = await rule.purge(db, before);
  return purged;
}

/**
 * The daily purge: once at start, then every 24 hours at an absolute instant from the
 * injected clock (like DeliveryService's daily planning; never a zoned cron rule).
 */
export class RetentionJob {
  private job: schedule.Job | undefined;
  private stopped = false;

  constructor(private readonly options: { db: Kysely<Database>; clock: Clock; log: Logger; months: number }) {}

  async start(): Promise<void> {
    await this.run();
  }

  private async run(): Promise<void> {
    const { db, clock, log, months } = this.options;
    try {
      const purged = await purgeExpired(db, clock, months);
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
