import type { Kysely } from 'kysely';
import type { Database, DeliveryRow } from '../db/tables.js';
import { INVITATION_TYPES } from '../invitations/invitation-batch.js';
import { STAFF_REPORT_TYPES } from '../reports/staff-report-messages.js';

/** What the mail a reply answers was about, read from its delivery row (payload, or the key of a ready message). */
export type Topic =
  | { kind: 'activity'; activityId: string }
  | { kind: 'meeting'; teamId: string; date: string }
  | { kind: 'report'; code: string }
  | { kind: 'other' };

export async function topicOf(trx: Kysely<Database>, delivery: Pick<DeliveryRow, 'payload' | 'kind' | 'dedupe_key'>, depth = 0): Promise<Topic> {
  const payload = (delivery.payload ?? {}) as Record<string, unknown>;
  const type = typeof payload.type === 'string' ? payload.type : '';
  if (INVITATION_TYPES.has(type) && typeof payload.activityId === 'string') return { kind: 'activity', activityId: payload.activityId };
  if ((type === 'reminder' || type === 'checkin') && typeof payload.teamId === 'string' && typeof payload.date === 'string') return { kind: 'meeting', teamId: payload.teamId, date: payload.date };
  if (type === 'meeting_change' && typeof payload.changeId === 'string') {
    const change = await trx.selectFrom('schedule_changes').select(['team_id', 'occurrence_date']).where('id', '=', Number(payload.changeId)).executeTakeFirst();
    if (change?.team_id && change.occurrence_date) return { kind: 'meeting', teamId: change.team_id, date: change.occurrence_date };
  }
  if (STAFF_REPORT_TYPES.has(type) && typeof payload.reportId === 'string') {
    const report = await trx.selectFrom('problem_reports').select('code').where('id', '=', Number(payload.reportId)).executeTakeFirst();
    if (report) return { kind: 'report', code: report.code };
  }
  // A change told to the reporter is a ready message; its key names the report (report-routing.ts).
  const reportKey = /^report:([A-Z0-9]+-\d{4}-\d+):/.exec(delivery.dedupe_key);
  if (reportKey) return { kind: 'report', code: reportKey[1]! };
  // Our own confirmation of a reply ("Odpowiedź zapisana"): a reply to it is about what the first reply was about.
  // Only the confirmation sent to the person themself: a forward (inbound:<id>:forward:<coordinator>) went to
  // someone else, whose reply is never that person's answer, nor the replier's own (it stays 'other': read by RCPS).
  const confirmation = delivery.kind === 'inbound_confirmation' ? /^inbound:(\d+):/.exec(delivery.dedupe_key) : null;
  if (confirmation && depth === 0) {
    const first = await trx
      .selectFrom('inbound_mails')
      .innerJoin('deliveries', (j) => j.onRef('deliveries.id', '=', 'inbound_mails.delivery_id'))
      .select(['deliveries.payload', 'deliveries.kind', 'deliveries.dedupe_key'])
      .where('inbound_mails.id', '=', Number(confirmation[1]))
      .executeTakeFirst();
    if (first) return topicOf(trx, first, depth + 1);
  }
  return { kind: 'other' };
}
