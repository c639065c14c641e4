import type { Transaction } from 'kysely';
import type { Database } from '../db/tables.js';
import type { LoadedSchedule } from '../schedule/load-schedule.js';
import { RCPS_SLACK_CHANNEL, RCPS_TEAMS_CHANNEL } from './report-routing.js';

/**
 * `rcps_slack_channel:` and `rcps_teams_channel:` of a schedule file: where new problem reports
 * are posted. For each, the last file that names one wins; files that name none leave the
 * stored value alone.
 */
export async function importRcpsChannel(trx: Transaction<Database>, schedules: LoadedSchedule[]): Promise<void> {
  const keys = [
    [RCPS_SLACK_CHANNEL, schedules.map((s) => s.data.rcps_slack_channel)],
    [RCPS_TEAMS_CHANNEL, schedules.map((s) => s.data.rcps_teams_channel)],
  ] as const;
  for (const [key, named] of keys) {
    const channel = named.filter(Boolean).at(-1);
    if (!channel) continue;
    await trx
      .insertInto('service_settings')
      .values({ key, value: channel })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: channel }))
      .execute();
  }
}
