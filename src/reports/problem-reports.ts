import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { DateTime } from 'luxon';
import type { Database, PersonRow, ProblemReportRow, ReportCategory } from '../db/tables.js';
import { inTransaction } from '../db/transactions.js';

export const REPORT_ZONE = 'Europe/Warsaw';
/** The same person sending the same content again within this time is one submission (Teams cards, double clicks). */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;

export interface NewProblem {
  teamId: string;
  category: ReportCategory;
  urgency: 'normal' | 'urgent';
  description: string;
  link: string | null;
  /** A web form's nonce; otherwise derived from person and content. */
  submissionKey?: string;
}

/** The team a person reports for: the first team they coordinate, else the first they belong to. */
export async function reportingTeam(db: Kysely<Database>, personId: number) {
  return db
    .selectFrom('memberships')
    .innerJoin('teams', 'teams.id', 'memberships.team_id')
    .select(['teams.id', 'teams.name', 'teams.report_code'])
    .where('memberships.person_id', '=', personId)
    .where('memberships.removed_at', 'is', null)
    .where('teams.removed_at', 'is', null)
    .orderBy(sql`case when memberships.role = 'coordinator' then 0 else 1 end`)
    .orderBy('teams.id')
    .executeTakeFirst();
}

/** LDZ for lodz unless the schedule file names a code. */
export function teamCode(team: { id: string; report_code: string | null }): string {
  return (team.report_code ?? team.id.replace(/[^a-z0-9]/gi, '').slice(0, 3)).toUpperCase();
}

/** A key for a submission without a nonce: same person, same content, same ten-minute window. */
export function contentKey(kind: string, personId: number, content: unknown): string {
  return `${kind}:${personId}:${createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 32)}`;
}

/**
 * Stores a report with the next number of its team and year, and its "created" event, in the
 * caller's transaction (or one of its own). A repeated submission returns the report made the
 * first time. Its messages to RCPS belong in the same transaction: submitProblem
 * (report-submit.ts) writes both.
 */
export async function createProblemReport(
  db: Kysely<Database>,
  reporter: PersonRow,
  input: NewProblem,
  now: Date,
): Promise<{ report: ProblemReportRow; duplicate: boolean }> {
  return inTransaction(db, async (trx) => {
    const key = input.submissionKey ?? contentKey('problem', reporter.id, [input.teamId, input.category, input.urgency, input.description, input.link]);
    // Numbers per team and year are taken one at a time, on every replica.
    await sql`select pg_advisory_xact_lock(hashtext(${`report-number:${input.teamId}`}))`.execute(trx);
    const earlier = await trx
      .selectFrom('problem_reports')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('submission_key', '=', key),
          eb.and([eb('submission_key', 'like', `${key}@%`), eb('created_at', '>', new Date(now.getTime() - DUPLICATE_WINDOW_MS))]),
        ]),
      )
      .executeTakeFirst();
    if (earlier) return { report: earlier, duplicate: true };
    const team = await trx.selectFrom('teams').select(['id', 'report_code']).where('id', '=', input.teamId).executeTakeFirstOrThrow();
    const year = DateTime.fromJSDate(now, { zone: REPORT_ZONE }).year;
    const last = await trx
      .selectFrom('problem_reports')
      .select((eb) => eb.fn.max('number').as('n'))
      .where('team_id', '=', input.teamId)
      .where('year', '=', year)
      .executeTakeFirst();
    const number = Number(last?.n ?? 0) + 1;
    const code = `${teamCode(team)}-${year}-${String(number).padStart(3, '0')}`;
    const report = await trx
      .insertInto('problem_reports')
      .values({
        code,
        team_id: input.teamId,
        year,
        number,
        reporter_id: reporter.id,
        category: input.category,
        urgency: input.urgency,
        description: input.description,
        link: input.link,
        // A content key gets the instant appended so the same content may be reported again later.
        submission_key: input.submissionKey ?? `${key}@${now.getTime()}`,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx.insertInto('report_events').values({ report_id: report.id, person_id: reporter.id, action: 'created', comment: null, created_at: now }).execute();
    return { report, duplicate: false };
  });
}

export type ReportAction = 'acknowledged' | 'resolved' | 'commented';

/** The teams whose reports a person sees besides their own: all of their teams. */
async function teamsOf(db: Kysely<Database> | Transaction<Database>, personId: number): Promise<string[]> {
  const rows = await db.selectFrom('memberships').select('team_id').where('person_id', '=', personId).where('removed_at', 'is', null).execute();
  return rows.map((r) => r.team_id);
}

/** Members see their own reports and their teams'; coordinators their teams'; RCPS and admins all. */
export async function canSee(db: Kysely<Database> | Transaction<Database>, person: PersonRow, report: ProblemReportRow): Promise<boolean> {
  if (person.staff_role) return true;
  if (report.reporter_id === person.id) return true;
  return (await teamsOf(db, person.id)).includes(report.team_id);
}

/**
 * Acknowledging and resolving is RCPS's answer to a member's notice (agreement § 2 item 12),
 * so only RCPS staff and admins do it; coordinators and members may comment on what they see.
 */
export function canManage(person: PersonRow): boolean {
  return person.staff_role === 'rcps' || person.staff_role === 'admin';
}

/** Reports a person may see, newest first. */
export async function visibleReports(db: Kysely<Database>, person: PersonRow, limit = 20): Promise<ProblemReportRow[]> {
  let query = db.selectFrom('problem_reports').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit);
  if (!person.staff_role) {
    const teams = await teamsOf(db, person.id);
    query = query.where((eb) => eb.or([eb('reporter_id', '=', person.id), ...(teams.length ? [eb('team_id', 'in', teams)] : [])]));
  }
  return query.execute();
}

export type ChangeOutcome =
  | { ok: true; report: ProblemReportRow; eventId: number; duplicate: boolean }
  | { ok: false; reason: 'not_found' | 'not_allowed' | 'already' | 'empty_comment'; report?: ProblemReportRow };

/**
 * Acknowledge, resolve or comment, with its audit event, in the caller's transaction (or one of
 * its own; answerReport adds the messages in the same one); refusals change nothing. The same
 * comment from the same person within ten minutes (a page sent twice) is the event stored the
 * first time.
 */
export async function changeReport(
  db: Kysely<Database>,
  person: PersonRow,
  code: string,
  action: ReportAction,
  comment: string | null,
  now: Date,
): Promise<ChangeOutcome> {
  return inTransaction(db, async (trx) => {
    const report = await trx.selectFrom('problem_reports').selectAll().where('code', '=', code.toUpperCase()).forUpdate().executeTakeFirst();
    if (!report || !(await canSee(trx, person, report))) return { ok: false, reason: 'not_found' } as const;
    if (action !== 'commented' && !canManage(person)) return { ok: false, reason: 'not_allowed', report } as const;
    if (action === 'commented' && !comment) return { ok: false, reason: 'empty_comment', report } as const;
    const state = action === 'acknowledged' ? 'acknowledged' : action === 'resolved' ? 'resolved' : report.state;
    if (action !== 'commented' && (report.state === state || (action === 'acknowledged' && report.state === 'resolved'))) {
      return { ok: false, reason: 'already', report } as const;
    }
    if (action === 'commented') {
      const same = await trx
        .selectFrom('report_events')
        .select('id')
        .where('report_id', '=', report.id)
        .where('person_id', '=', person.id)
        .where('action', '=', 'commented')
        .where('comment', '=', comment)
        .where('created_at', '>', new Date(now.getTime() - DUPLICATE_WINDOW_MS))
        .executeTakeFirst();
      if (same) return { ok: true, report, eventId: same.id, duplicate: true } as const;
    }
    const updated = await trx
      .updateTable('problem_reports')
      .set({ state, updated_at: now })
      .where('id', '=', report.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const event = await trx
      .insertInto('report_events')
      .values({ report_id: report.id, person_id: person.id, action, comment, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { ok: true, report: updated, eventId: event.id, duplicate: false } as const;
  });
}
