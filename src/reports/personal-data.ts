import { scrubPersonEverywhere, type PersonalDataPart } from '../privacy/personal-data.js';

/**
 * What status updates and problem reports keep about a person. Erasure keeps the reports and
 * updates (RCPS owes the funder a record of problems and audits, agreement § 2) but unlinks
 * the author everywhere, so they read "osoba usunięta" / "deleted person".
 */
export const reportsPersonalData: PersonalDataPart = {
  name: 'reports',
  async collect(db, personId) {
    const statusUpdates = await db
      .selectFrom('status_updates')
      .select(['team_id', 'done', 'next_steps', 'people_count', 'blockers', 'created_at'])
      .where('person_id', '=', personId)
      .orderBy('created_at')
      // The same time: in the order written, as the digest and the exports read them.
      .orderBy('id')
      .execute();
    const problemReports = await db
      .selectFrom('problem_reports')
      .select(['code', 'team_id', 'category', 'urgency', 'description', 'link', 'state', 'created_at'])
      .where('reporter_id', '=', personId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const reportEvents = await db
      .selectFrom('report_events')
      .innerJoin('problem_reports', 'problem_reports.id', 'report_events.report_id')
      .select(['problem_reports.code', 'report_events.action', 'report_events.comment', 'report_events.created_at'])
      .where('report_events.person_id', '=', personId)
      .orderBy('report_events.id')
      .execute();
    return { statusUpdates, problemReports, reportEvents };
  },
  async erase(trx, personId) {
    // Her name and e-mail go from the texts too, hers and others' that mention her.
    await scrubPersonEverywhere(trx, personId, [
      { table: 'status_updates', column: 'done' },
      { table: 'status_updates', column: 'next_steps' },
      { table: 'status_updates', column: 'blockers' },
      { table: 'problem_reports', column: 'description' },
      { table: 'problem_reports', column: 'link' },
      { table: 'report_events', column: 'comment' },
    ]);
    await trx.updateTable('status_updates').set({ person_id: null }).where('person_id', '=', personId).execute();
    await trx.updateTable('problem_reports').set({ reporter_id: null }).where('reporter_id', '=', personId).execute();
    await trx.updateTable('report_events').set({ person_id: null }).where('person_id', '=', personId).execute();
  },
};
