import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../db/tables.js';
import { toCsv } from '../export/csv.js';
import type { Exporter } from '../export/exports.js';
import { reportMessages } from '../i18n/report-messages.js';
import { REPORT_ZONE } from './problem-reports.js';

const t = reportMessages.pl;

/** Both dates inclusive, as Polish calendar days: [from 00:00, to+1 00:00) in Warsaw. */
function window(range: { from: string; to: string }): [Date, Date] {
  return [DateTime.fromISO(range.from, { zone: REPORT_ZONE }).toJSDate(), DateTime.fromISO(range.to, { zone: REPORT_ZONE }).plus({ days: 1 }).toJSDate()];
}

/** "2027-01-04 09:00", Polish time: Excel reads it as a date and time. */
const local = (d: Date | null | undefined) => (d ? DateTime.fromJSDate(d, { zone: REPORT_ZONE }).toFormat('yyyy-MM-dd HH:mm') : null);

/** `export status`: every status update of the period, oldest first. */
export const statusExporter: Exporter = async (db, range) => {
  const [from, to] = window(range);
  const rows = await db
    .selectFrom('status_updates')
    .innerJoin('teams', 'teams.id', 'status_updates.team_id')
    .leftJoin('people', 'people.id', 'status_updates.person_id')
    .select(['status_updates.created_at', 'teams.name as team', 'people.name', 'people.institution', 'done', 'next_steps', 'people_count', 'blockers'])
    .where('status_updates.created_at', '>=', from)
    .where('status_updates.created_at', '<', to)
    .orderBy('status_updates.created_at')
    .orderBy('status_updates.id')
    .execute();
  return toCsv(
    ['Data', 'Zespół', 'Osoba', 'Instytucja', 'Co zrobiono', 'Dalsze kroki', 'Liczba osób/rodzin', 'Przeszkody'],
    rows.map((r) => [local(r.created_at), r.team, r.name ?? t.deletedPerson, r.institution, r.done, r.next_steps, r.people_count, r.blockers]),
  );
};

/** `export problems`: reports made in the period, with when they were acknowledged and resolved. */
export const problemsExporter: Exporter = async (db: Kysely<Database>, range) => {
  const [from, to] = window(range);
  const rows = await db
    .selectFrom('problem_reports')
    .innerJoin('teams', 'teams.id', 'problem_reports.team_id')
    .leftJoin('people', 'people.id', 'problem_reports.reporter_id')
    .select([
      'problem_reports.id',
      'code',
      'problem_reports.created_at',
      'teams.name as team',
      'people.name',
      'category',
      'urgency',
      'description',
      'link',
      'state',
    ])
    .where('problem_reports.created_at', '>=', from)
    .where('problem_reports.created_at', '<', to)
    .orderBy('problem_reports.created_at')
    .orderBy('problem_reports.id')
    .execute();
  const events = rows.length
    ? await db.selectFrom('report_events').select(['report_id', 'action', 'created_at']).where('report_id', 'in', rows.map((r) => r.id)).where('action', 'in', ['acknowledged', 'resolved']).orderBy('created_at').orderBy('id').execute()
    : [];
  // The first of each (in time, then as written): a report is acknowledged and resolved once, but
  // should two events ever be recorded, the export names the same one every time.
  const when = (id: number, action: string) => local(events.find((e) => e.report_id === id && e.action === action)?.created_at);
  return toCsv(
    ['Numer', 'Data zgłoszenia', 'Zespół', 'Zgłaszający', 'Kategoria', 'Pilność', 'Opis', 'Link', 'Stan', 'Przyjęto', 'Rozwiązano'],
    rows.map((r) => [
      r.code,
      local(r.created_at),
      r.team,
      r.name ?? t.deletedPerson,
      t.category(r.category),
      r.urgency === 'urgent' ? t.urgent : t.normal,
      r.description,
      r.link,
      t.state(r.state),
      when(r.id, 'acknowledged'),
      when(r.id, 'resolved'),
    ]),
  );
};
