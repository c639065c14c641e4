import type { Kysely } from 'kysely';
import type { Database, PersonRow, ProblemReportRow } from '../db/tables.js';
import { inTransaction } from '../db/transactions.js';
import { reportMessages } from '../i18n/report-messages.js';
import { canManage, changeReport, type ReportAction } from './problem-reports.js';
import { checkOptionalText } from './report-input.js';
import { forwardComment, tellReporter } from './report-routing.js';

/** What came of a change, as a sentence in the person's language; a refusal changed nothing. */
export type ChangeAnswer =
  | { ok: true; report: ProblemReportRow; text: string; duplicate: boolean }
  | { ok: false; status: 400 | 403 | 404 | 409; text: string };

/**
 * Acknowledge, resolve or comment a report (chat command, buttons, the report page): the rules
 * and the audit event are changeReport's; the reporter hears of it, and a comment from the
 * reporter's side goes to RCPS, through outbox rows written in the same transaction.
 */
export async function answerReport(db: Kysely<Database>, person: PersonRow, code: string, action: ReportAction, commentText: string, now: Date): Promise<ChangeAnswer> {
  const t = reportMessages[person.language];
  const comment = checkOptionalText(commentText, person.language);
  if (!comment.ok) return { ok: false, status: 400, text: comment.error };
  if (action === 'commented' && !comment.value) return { ok: false, status: 400, text: t.emptyText };
  // The change, its audit event and its messages commit together: a retry after a failure
  // finds nothing done, rather than a change whose messages were lost.
  const outcome = await inTransaction(db, async (trx) => {
    const changed = await changeReport(trx, person, code, action, comment.value, now);
    if (!changed.ok || changed.duplicate) return changed;
    if (changed.report.reporter_id !== person.id) await tellReporter(trx, changed.report, changed.eventId, action, person.name, comment.value);
    if (action === 'commented' && !canManage(person)) await forwardComment(trx, changed.report, changed.eventId, now);
    return changed;
  });
  if (!outcome.ok) {
    if (outcome.reason === 'not_allowed') return { ok: false, status: 403, text: t.notAllowed };
    if (outcome.reason === 'already') return { ok: false, status: 409, text: t.alreadyInState(outcome.report!.code, t.state(outcome.report!.state)) };
    if (outcome.reason === 'empty_comment') return { ok: false, status: 400, text: t.emptyText };
    return { ok: false, status: 404, text: t.notFound(code.toUpperCase()) };
  }
  const { report, duplicate } = outcome;
  const text = action === 'commented' ? t.commentedOk(report.code) : t.changedOk(report.code, t.state(report.state));
  return { ok: true, report, text, duplicate };
}
