import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { exporters } from '../../src/export/exports.js';
import { erasePersonalData } from '../../src/privacy/personal-data.js';
import { changeReport, createProblemReport } from '../../src/reports/problem-reports.js';
import { reportPage } from '../../src/reports/report-page-view.js';
import { reportMessage } from '../../src/reports/staff-report-messages.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * Issue 14: erasure writes "osoba usunięta" where a name was (kept for the funder's Polish
 * exports), and English readers saw that Polish. They read "deleted person"; exports stay Polish.
 */
describe.each(dialects)('an erased person, named in reports, for English and Polish readers on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');

  beforeAll(async () => {
    db = await freshDatabase(kind);
    await importSchedules(db.db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' });
    const person = (e: string) => db.db.selectFrom('people').selectAll().where('email', '=', e).executeTakeFirstOrThrow();
    const jan = await person('jan.kowalski@example.org');
    await createProblemReport(db.db, jan, { teamId: 'lodz', category: 'organisational', urgency: 'normal', description: 'Piotr Kamiński nie ma sali', link: null }, new Date('2027-01-04T10:00:00Z'));
    await changeReport(db.db, jan, 'LDZ-2027-001', 'commented', 'Dzwoniłem do: Piotr Kamiński', new Date('2027-01-04T11:00:00Z'));
    expect(await erasePersonalData(db.db, (await person('piotr.kaminski@example.org')).id, clock)).toBe(true);
  });
  afterAll(async () => db?.close());

  const report = () => db.db.selectFrom('problem_reports').selectAll().executeTakeFirstOrThrow();
  const page = async (language: 'pl' | 'en') => {
    const events = await db.db
      .selectFrom('report_events')
      .leftJoin('people', 'people.id', 'report_events.person_id')
      .select(['report_events.action', 'report_events.comment', 'report_events.created_at', 'people.name'])
      .orderBy('report_events.id')
      .execute();
    return String(reportPage({ language, path: '/r/x', report: await report(), teamName: 'PZK Łódź', reporter: undefined, events }).body);
  };

  it('should say "deleted person" to an English reader, in the report message and on the report page with its history', async () => {
    const message = await reportMessage(db.db, await report(), 'en');
    expect(message.text).toContain('deleted person nie ma sali');
    expect(message.text).not.toContain('osoba usunięta');
    const body = await page('en');
    expect(body).toContain('deleted person nie ma sali');
    expect(body).toContain('Dzwoniłem do: deleted person');
    expect(body).not.toContain('osoba usunięta');
  });

  it('should say "osoba usunięta" to a Polish reader and in the exports', async () => {
    expect((await reportMessage(db.db, await report(), 'pl')).text).toContain('osoba usunięta nie ma sali');
    expect(await page('pl')).toContain('Dzwoniłem do: osoba usunięta');
    const csv = await exporters.problems!(db.db, { from: '2027-01-01', to: '2027-01-31', now: new Date('2027-02-01T00:00:00Z') });
    expect(csv).toContain('osoba usunięta nie ma sali');
    expect(csv).not.toContain('deleted person');
  });
});
