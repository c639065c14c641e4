import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { migrations } from '../../migrations/index.js';
import { FeedService } from '../feeds/feed-service.js';
import { issueFeedToken } from '../feeds/feed-tokens.js';
import { calendarRenderer, openDatabase } from '../main.js';
import type { ImportSummary } from '../schedule/import-schedule.js';
import { importScheduleFiles } from '../schedule/import-files.js';
import { processScheduleChanges } from '../reminders/change-notices.js';
import { planReminders } from '../reminders/plan-reminders.js';
import { exporters, TEAM_FILTERED } from '../export/exports.js';
import { exportRegistrations } from '../export/registrations-export.js';
import { forgetErasure } from '../privacy/erasures.js';
import { UsageError } from './usage-error.js';

export type Out = (line: string) => void;

/** Runs `fn` on a migrated database and always closes it. */
async function withDatabase<T>(config: Config, command: string, fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase(config, command);
  try {
    await migrateToLatest(db.db);
    return await fn(db);
  } finally {
    await db.close();
  }
}

export async function migrateCommand(config: Config, out: Out): Promise<void> {
  const db = await openDatabase(config, 'migrate');
  try {
    out(describeMigrations((await migrateToLatest(db.db)) ?? []));
  } finally {
    await db.close();
  }
}

/** What `migrate` did: the migrations it applied by name, or that there was nothing to do. */
export function describeMigrations(results: ReadonlyArray<{ migrationName: string; status: string }>): string {
  const applied = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  const total = Object.keys(migrations).length;
  if (applied.length === 0) return `Database is up to date: all ${total} migrations were applied before; nothing to do.`;
  return `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}.`;
}

/** `language`: the operator's, for the problems of bad files (Polish unless English is chosen). */
export async function importCommand(config: Config, clock: Clock, files: string[], dryRun: boolean, out: Out, language: 'pl' | 'en' = 'pl'): Promise<void> {
  await withDatabase(config, 'import', async (db) => {
    const summary = await importScheduleFiles(db.db, files, { clock, defaultTimezone: config.defaultTimezone, dryRun, language });
    // Notices of moved and cancelled meetings were queued by the import itself; reminders are re-planned now. A running service sends them.
    if (summary.changed && !dryRun) {
      await processScheduleChanges(db.db, clock);
      await planReminders(db.db, { clock });
    }
    out(describeSummary(summary, dryRun));
  });
}

export function describeSummary(s: ImportSummary, dryRun: boolean): string {
  const kept = s.keptChatChanges.length
    ? [
        `Changes made in chat that ${dryRun ? 'would be' : 'were'} kept (the files do not change these meetings; an except entry for the date decides):`,
        ...s.keptChatChanges.map((c) => `  ${c.teamId} ${c.date}: ${c.cancelled ? 'cancelled in chat' : `moved in chat to ${c.movedTo}`}`),
      ]
    : [];
  if (!s.changed) {
    return [dryRun ? 'The files are valid and match the database: an import would change nothing.' : 'Nothing changed: the database already matches the files.', ...kept].join('\n');
  }
  const line = (label: string, c: ImportSummary['teams']) => `  ${label.padEnd(12)} +${c.added} added, ~${c.updated} updated, -${c.removed} removed`;
  return [
    dryRun ? 'The files are valid. An import would make these changes (nothing was written):' : 'Imported:',
    line('teams', s.teams),
    line('meetings', s.meetings),
    line('people', s.people),
    line('memberships', s.memberships),
    line('activities', s.activities),
    line('questions', s.questions),
    ...(s.registrationAnswersRemoved ? [`  ${s.registrationAnswersRemoved} registration answer(s) to removed questions ${dryRun ? 'would be' : 'were'} deleted`] : []),
    ...kept,
  ].join('\n');
}

/** The public feeds as files, for static hosting. Personal feeds are never written out. */
export async function exportFeedsCommand(config: Config, clock: Clock, dir: string, out: Out): Promise<void> {
  await withDatabase(config, 'export-feeds', async (db) => {
    const feeds = new FeedService({ db: db.db, renderer: await calendarRenderer(config), clock });
    const teams = await db.db.selectFrom('teams').select('id').where('removed_at', 'is', null).orderBy('id').execute();
    await writeAtomically(join(dir, 'all.ics'), (await feeds.all()).body);
    for (const { id } of teams) await writeAtomically(join(dir, 'teams', `${id}.ics`), (await feeds.team(id))!.body);
    out(`Wrote ${teams.length + 1} feeds to ${dir} (all.ics and teams/*.ics).`);
  });
}

async function writeAtomically(file: string, body: Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, body);
  await rename(`${file}.tmp`, file);
}

/** Issues a new personal feed link for a member (the old one stops working). */
export async function feedLinkCommand(config: Config, clock: Clock, email: string, out: Out): Promise<void> {
  await withDatabase(config, 'feed-link', async (db) => {
    const person = await db.db
      .selectFrom('people')
      .select(['id', 'name'])
      .where('email', '=', email.trim().toLowerCase())
      .where('removed_at', 'is', null)
      .executeTakeFirst();
    if (!person) throw new UsageError(`No member with the e-mail ${email}. Check the schedule files.`);
    const token = await issueFeedToken(db.db, person.id, config.appSecret, clock);
    out(`${config.publicUrl}/calendars/u/${token}.ics`);
  });
}

export { UsageError };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `export <kind> --from D --to D`: CSV to stdout, for the funder's reports. */
export async function exportCommand(config: Config, clock: Clock, args: string[], write: (text: string) => void): Promise<void> {
  if (args[0] === 'registrations') return exportRegistrationsCommand(config, args, write);
  const kind = args.find((a) => !a.startsWith('--') && !['--from', '--to', '--team'].includes(args[args.indexOf(a) - 1] ?? ''));
  const known = Object.keys(exporters).sort().join('|');
  const example = `npm run kooperator -- export ${Object.keys(exporters)[0] ?? 'status'} --from 2027-01-01 --to 2027-03-31`;
  const exporter = kind ? exporters[kind] : undefined;
  if (!exporter) throw new UsageError(`export needs one of ${known || '(none yet)'}${kind ? `, not "${kind}"` : ''}: ${example}`);
  const from = args[args.indexOf('--from') + 1];
  const to = args[args.indexOf('--to') + 1];
  for (const [flag, value] of [['--from', from], ['--to', to]] as const) {
    if (!args.includes(flag) || !value || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value))) {
      throw new UsageError(`export needs ${flag} as a date YYYY-MM-DD: ${example}`);
    }
  }
  if (from! > to!) throw new UsageError(`--from ${from} is after --to ${to}: ${example}`);
  const team = args.includes('--team') ? args[args.indexOf('--team') + 1] : undefined;
  if (args.includes('--team') && (!team || team.startsWith('--'))) throw new UsageError(`--team needs a team id: npm run kooperator -- export attendance --from 2027-01-01 --to 2027-03-31 --team lodz`);
  if (team !== undefined && !TEAM_FILTERED.has(kind!)) throw new UsageError(`--team works only with ${[...TEAM_FILTERED].join(', ')}`);
  await withDatabase(config, 'export', async (db) => {
    if (team !== undefined && !(await db.db.selectFrom('teams').select('id').where('id', '=', team).executeTakeFirst())) throw new UsageError(`there is no team "${team}"`);
    write(await exporter(db.db, { from: from!, to: to!, now: clock.now(), ...(team !== undefined ? { team } : {}) }));
  });
}

/** `export registrations --activity ID`: one activity's registration answers and totals (src/export/registrations-export.ts). */
async function exportRegistrationsCommand(config: Config, args: string[], write: (text: string) => void): Promise<void> {
  const at = args.indexOf('--activity');
  const id = at >= 0 ? args[at + 1] : undefined;
  const example = 'npm run kooperator -- export registrations --activity warsztaty-2027-1';
  if (!id || id.startsWith('--')) throw new UsageError(`export registrations needs --activity and the activity's id: ${example}`);
  await withDatabase(config, 'export', async (db) => {
    const csv = await exportRegistrations(db.db, id);
    if (csv === undefined) throw new UsageError(`there is no activity "${id}": ${example}`);
    write(csv);
  });
}

/** `forget-erasure <email>`: an admin confirms that an erased person may be imported again. */
export async function forgetErasureCommand(config: Config, email: string, out: Out): Promise<void> {
  await withDatabase(config, 'forget-erasure', async (db) => {
    const forgotten = await forgetErasure(db.db, email);
    out(forgotten ? `${email} may be imported again; the next import re-creates them as a new member.` : `No erasure is recorded for ${email}; nothing changed.`);
  });
}
