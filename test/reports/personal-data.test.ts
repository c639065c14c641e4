import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { PersonRow } from '../../src/db/tables.js';
import { exporters } from '../../src/export/exports.js';
import { reportsPersonalData } from '../../src/reports/personal-data.js';
import { changeReport, createProblemReport } from '../../src/reports/problem-reports.js';
import { reportMessage } from '../../src/reports/staff-report-messages.js';
import { saveStatus } from '../../src/reports/status-updates.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

describe.each(dialects)('Personal data in status updates and reports on %s', (kind) => {
  let db: Db;
  let piotr: PersonRow;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    await importSchedules(db.db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' });
    const person = (e: string) => db.db.selectFrom('people').selectAll().where('email', '=', e).executeTakeFirstOrThrow();
    piotr = await person('piotr.kaminski@example.org');
    await saveStatus(db.db, piotr, { teamId: 'lodz', done: 'Lokale socjalne', nextSteps: null, peopleCount: 3, blockers: null }, new Date('2027-01-04T09:00:00Z'));
    await createProblemReport(db.db, piotr, { teamId: 'lodz', category: 'organisational', urgency: 'normal', description: 'Brak sali', link: null }, new Date('2027-01-04T10:00:00Z'));
    await changeReport(db.db, piotr, 'LDZ-2027-001', 'commented', 'Może sala w ZLM?', new Date('2027-01-04T11:00:00Z'));
    await changeReport(db.db, await person('jan.kowalski@example.org'), 'LDZ-2027-001', 'acknowledged', null, new Date('2027-01-04T12:00:00Z'));
  });
  afterAll(async () => db?.close());

  it('should collect the person\'s updates, reports and report events', async () => {
    const data = (await reportsPersonalData.collect(db.db, piotr.id)) as Record<string, unknown[]>;
    expect(data.statusUpdates).toMatchObject([{ done: 'Lokale socjalne', people_count: 3 }]);
    expect(data.problemReports).toMatchObject([{ code: 'LDZ-2027-001', description: 'Brak sali', state: 'acknowledged' }]);
    expect(data.reportEvents).toMatchObject([
      { code: 'LDZ-2027-001', action: 'created' },
      { code: 'LDZ-2027-001', action: 'commented', comment: 'Może sala w ZLM?' },
    ]);
  });

  it('should keep the reports after erasure but show the author as a deleted person', async () => {
    await db.db.transaction().execute((trx) => reportsPersonalData.erase(trx, piotr.id));
    expect(await reportsPersonalData.collect(db.db, piotr.id)).toEqual({ statusUpdates: [], problemReports: [], reportEvents: [] });
    const report = await db.db.selectFrom('problem_reports').selectAll().executeTakeFirstOrThrow();
    expect(report.reporter_id).toBeNull();
    const message = await reportMessage(db.db, report, 'pl');
    expect(message.fields).toContainEqual({ label: 'Zgłasza', value: 'osoba usunięta' });
    expect((await reportMessage(db.db, report, 'en')).fields).toContainEqual({ label: 'Reported by', value: 'deleted person' });
    expect(await exporters.problems!(db.db, { from: '2027-01-01', to: '2027-01-31', now: new Date('2027-02-01T00:00:00Z') })).toContain('LDZ-2027-001;2027-01-04 11:00;PZK Łódź – demo;osoba usunięta;');
    expect(await exporters.status!(db.db, { from: '2027-01-01', to: '2027-01-31', now: new Date('2027-02-01T00:00:00Z') })).toContain(';PZK Łódź – demo;osoba usunięta;;Lokale socjalne;');
    const events = await db.db.selectFrom('report_events').select(['action', 'person_id']).orderBy('id').execute();
    expect(events.map((e) => e.action)).toEqual(['created', 'commented', 'acknowledged']);
    expect(events.filter((e) => e.person_id === piotr.id)).toEqual([]);
  });
});
