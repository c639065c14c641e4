import type { Transaction } from 'kysely';
import type { Database } from '../db/tables.js';
import type { LoadedSchedule } from '../schedule/load-schedule.js';
import { RCPS_SLACK_CHANNEL } from './report-routing.js';

/**
 * `rcps_slack_channel:` of a schedule file: where new problem reports are posted. The last
 * file that names one wins; files that name none leave the stored value alone.
 */
export async function importRcpsChannel(trx: Transaction<Database>, schedules: LoadedSchedule[]): Promise<void> {
  const channel = schedules.map((s) => s.data.rcps_slack_channel).filter(Boolean).at(-1);
  if (!channel) return;
  await trx
    .insertInto('service_settings')
    .values({ key: RCPS_SLACK_CHANNEL, value: channel })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: channel }))
    .execute();
}
