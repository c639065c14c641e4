import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { problemsExporter, statusExporter } from '../reports/report-exports.js';
import { exportAttendance } from './attendance-export.js';

/** One CSV export of `export <kind> --from D --to D`: dates are YYYY-MM-DD, both inclusive, Polish time; `now` is the moment of the export. */
export type Exporter = (db: Kysely<Database>, range: { from: string; to: string; now: Date; team?: string }) => Promise<string>;

/** Kinds that take `--team <id>` (only that team's rows). */
export const TEAM_FILTERED: ReadonlySet<string> = new Set(['attendance']);

/** Every kind the command line knows; each issue adds its own line. */
export const exporters: Record<string, Exporter> = {
  status: statusExporter,
  problems: problemsExporter,
  attendance: exportAttendance,
};
