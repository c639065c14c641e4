import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/tables.js';

/**
 * Every stored change whose messages are not in the outbox, as sentences (empty when none):
 * "no change stored without its messages", read from the database alone, so a test can check
 * it after any failure. What each change owes is what the README promises:
 * - a problem report: a row for every RCPS person and admin (on the schedule then and now);
 * - an acknowledgement, resolution or comment by someone other than the reporter: a row to the reporter;
 * - a comment by someone who is not RCPS: rows to RCPS (at least one);
 * - a sent announcement: its members' rows and the author's delivery report;
 * - a meeting answer given by link or e-mail: its confirmation; one naming a substitute: the substitute's notice.
 */
export async function outboxGaps(db: Kysely<Database>): Promise<string[]> {
  const gaps: string[] = [];
  const keys = new Set((await db.selectFrom('deliveries').select('dedupe_key').execute()).map((d) => d.dedupe_key));
  const hasPrefix = (prefix: string) => [...keys].some((k) => k.startsWith(prefix));
  const staff = await db.selectFrom('people').select(['id', 'staff_role']).where('staff_role', 'in', ['rcps', 'admin']).where('removed_at', 'is', null).execute();
  const reports = await db.selectFrom('problem_reports').select(['id', 'code', 'reporter_id']).execute();
  for (const report of reports) {
    for (const person of staff) if (!keys.has(`report:${report.code}:new:${person.id}`)) gaps.push(`${report.code}: no message to RCPS person ${person.id}`);
    const events = await db
      .selectFrom('report_events')
      .innerJoin('people', 'people.id', 'report_events.person_id')
      .select(['report_events.id', 'report_events.action', 'report_events.person_id', 'people.staff_role'])
      .where('report_id', '=', report.id)
      .where('action', '<>', 'created')
      .execute();
    for (const event of events) {
      const prefix = `report:${report.code}:event:${event.id}:`;
      if (event.person_id !== report.reporter_id && !keys.has(`${prefix}reporter`)) gaps.push(`${report.code}: event ${event.id} (${event.action}) not told to the reporter`);
      const fromMember = event.staff_role !== 'rcps' && event.staff_role !== 'admin';
      if (event.action === 'commented' && fromMember && ![...keys].some((k) => k.startsWith(prefix) && !k.endsWith(':reporter'))) {
        gaps.push(`${report.code}: comment ${event.id} not forwarded to RCPS`);
      }
    }
  }
  const announcements = await db.selectFrom('announcements').select(['id']).where('state', '=', 'sent').execute();
  for (const a of announcements) {
    if (!hasPrefix(`announcement:${a.id}:`)) gaps.push(`announcement ${a.id}: sent without messages`);
    if (!keys.has(`announcement-report:${a.id}`)) gaps.push(`announcement ${a.id}: no delivery report for its author`);
  }
  const answers = await db.selectFrom('meeting_answers').select(['team_id', 'occurrence_date', 'person_id', 'source', 'substitute_person_id']).execute();
  for (const a of answers) {
    const at = `${a.team_id}:${a.occurrence_date}:${a.person_id}`;
    if (['link', 'email', 'calendar'].includes(a.source) && !hasPrefix(`meeting-answer:${at}:`)) gaps.push(`answer ${at}: no confirmation`);
    if (a.substitute_person_id !== null && !hasPrefix(`meeting-substitute:${at}:${a.substitute_person_id}:`)) gaps.push(`answer ${at}: substitute not told`);
  }
  return gaps;
}
