import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import type { PersonRow } from '../../src/db/tables.js';
import { exporters } from '../../src/export/exports.js';
import { changeReport, createProblemReport } from '../../src/reports/problem-reports.js';
import { saveStatus } from '../../src/reports/status-updates.js';
import { importSchedules } from '../../src/schedule/import-schedule.js';
import { loadScheduleFiles } from '../../src/schedule/load-schedule.js';
import { dialects, freshDatabase } from '../support/databases.js';

/** Python's csv module reads the file as Excel would: BOM, semicolons, quoted line breaks. */
function parseLikeExcel(text: string): string[][] {
  const script = 'import csv,sys,json;data=sys.stdin.buffer.read().decode("utf-8-sig");print(json.dumps(list(csv.reader(data.splitlines(True),delimiter=";"))))';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: Buffer.from(text, 'utf8') }).toString('utf8'));
}

describe.each(dialects)('CSV exports of status updates and problem reports on %s', (kind) => {
  let db: Db;
  let person: (email: string) => Promise<PersonRow>;

  beforeAll(async () => {
    db = await freshDatabase(kind);
    const clock = new FixedClock('2027-01-04T08:00:00Z');
    await importSchedules(db.db, await loadScheduleFiles(['calendars/demo.yaml']), { clock, defaultTimezone: 'Europe/Warsaw' });
    person = (email) => db.db.selectFrom('people').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    const lukasz = await person('lukasz.wozniak@example.org');
    const jan = await person('jan.kowalski@example.org');
    await saveStatus(db.db, lukasz, { teamId: 'lodz', done: 'Spotkanie; żółć, „cudzysłów” i\nnowa linia', nextSteps: 'Źdźbło', peopleCount: 7, blockers: null }, new Date('2027-01-05T09:15:00Z'));
    // 00:30 on 1 February in Poland: outside a January export.
    await saveStatus(db.db, lukasz, { teamId: 'lodz', done: 'luty', nextSteps: null, peopleCount: null, blockers: null }, new Date('2027-01-31T23:30:00Z'));
    await createProblemReport(db.db, lukasz, { teamId: 'lodz', category: 'data_reporting', urgency: 'urgent', description: 'Brak danych o rodzinach za grudzień', link: null }, new Date('2027-01-06T10:00:00Z'));
    await changeReport(db.db, jan, 'LDZ-2027-001', 'acknowledged', null, new Date('2027-01-07T07:00:00Z'));
  });
  afterAll(async () => db?.close());

  it('should export status updates with Polish headers, letters intact and Polish time', async () => {
    const rows = parseLikeExcel(await exporters.status!(db.db, { from: '2027-01-01', to: '2027-01-31', now: new Date('2027-02-01T00:00:00Z') }));
    expect(rows).toEqual([
      ['Data', 'Zespół', 'Osoba', 'Instytucja', 'Co zrobiono', 'Dalsze kroki', 'Liczba osób/rodzin', 'Przeszkody'],
      ['2027-01-05 10:15', 'PZK Łódź – demo', 'Łukasz Woźniak', 'Stowarzyszenie „POMOST”', 'Spotkanie; żółć, „cudzysłów” i\nnowa linia', 'Źdźbło', '7', ''],
    ]);
  });

  it('should export problem reports with category, urgency, state and when they were acknowledged', async () => {
    const rows = parseLikeExcel(await exporters.problems!(db.db, { from: '2027-01-01', to: '2027-01-31', now: new Date('2027-02-01T00:00:00Z') }));
    expect(rows).toEqual([
      ['Numer', 'Data zgłoszenia', 'Zespół', 'Zgłaszający', 'Kategoria', 'Pilność', 'Opis', 'Link', 'Stan', 'Przyjęto', 'Rozwiązano'],
      ['LDZ-2027-001', '2027-01-06 11:00', 'PZK Łódź – demo', 'Łukasz Woźniak', 'dane i sprawozdawczość', 'pilny', 'Brak danych o rodzinach za grudzień', '', 'przyjęte', '2027-01-07 08:00', ''],
    ]);
  });

  it('should name the first acknowledgement when two were recorded, whatever order they were written in (was: the first read)', async () => {
    const report = await db.db.selectFrom('problem_reports').select('id').where('code', '=', 'LDZ-2027-001').executeTakeFirstOrThrow();
    await db.db.insertInto('report_events').values({ report_id: report.id, person_id: null, action: 'acknowledged', comment: null, created_at: new Date('2027-01-07T06:30:00Z') }).execute();
    const rows = parseLikeExcel(await exporters.problems!(db.db, { from: '2027-01-01', to: '2027-01-31', now: new Date('2027-02-01T00:00:00Z') }));
    expect(rows[1]![9]).toBe('2027-01-07 07:30');
  });
});
