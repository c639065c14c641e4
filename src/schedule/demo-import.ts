import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/tables.js';
import type { Logger } from '../log.js';

// src/schedule/ under tsx, dist/src/schedule/ after `npm run build`: calendars/ is next to package.json.
export const DEMO_FILE = [new URL('../../calendars/demo.yaml', import.meta.url), new URL('../../../calendars/demo.yaml', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((file) => existsSync(file)) ?? fileURLToPath(new URL('../../calendars/demo.yaml', import.meta.url));

/** On the embedded default, an empty database gets the demo schedule so there is something to see. */
export async function importDemoIfEmpty(db: Kysely<Database>, config: Config, clock: Clock, log: Logger): Promise<boolean> {
  const anyTeam = await db.selectFrom('teams').select('id').limit(1).executeTakeFirst();
  const anyImport = await db.selectFrom('import_runs').select('id').limit(1).executeTakeFirst();
  if (anyTeam || anyImport) return false;
  // Loaded only now: a restart on a database with data never needs the importer.
  const [{ importSchedules }, { loadScheduleFiles }] = await Promise.all([import('./import-schedule.js'), import('./load-schedule.js')]);
  const summary = await importSchedules(db, await loadScheduleFiles([DEMO_FILE]), { clock, defaultTimezone: config.defaultTimezone });
  log.info(
    { teams: summary.teams.added, people: summary.people.added, activities: summary.activities.added },
    'The database was empty: imported the demo schedule calendars/demo.yaml (fictional people). Import your own with `npm run kooperator -- import <file.yaml>`',
  );
  return true;
}
