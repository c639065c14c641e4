import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createLogger } from '../../src/log.js';
import { changeReport, createProblemReport } from '../../src/reports/problem-reports.js';
import { routeNewReport } from '../../src/reports/report-routing.js';
import { emailAdapterFor, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { dialects, demoDatabase } from '../support/databases.js';

const log = createLogger('silent');

describe.each(dialects)('Reports nobody acknowledged on %s', (kind) => {
  let db: Db;
  let smtp: FakeSmtp;
  let email: ReturnType<typeof createEmailAdapter>;
  let dispatcher: Dispatcher;
  const clock = new FixedClock('2027-01-05T09:00:00Z');
  const subjectsTo = (address: string) => smtp.mails.filter((m) => m.to && 'text' in m.to && m.to.text === address).map((m) => m.subject);

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    smtp = await startSmtp();
    email = emailAdapterFor(smtp);
    dispatcher = new Dispatcher({ db: db.db, senders: new Map([['email', email.sender]]), clock, log, workerId: 'w', render: deliveryRenderer(db.db, 'https://koop.example.org') });
  });
  afterAll(async () => {
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  it('should remind RCPS two working days later (6 January is a holiday), then an admin a working day after, and stop once a report is acknowledged', async () => {
    const person = (e: string) => db.db.selectFrom('people').selectAll().where('email', '=', e).executeTakeFirstOrThrow();
    const anna = await person('anna.nowak@example.org');
    // Tuesday 5 January, 10:00 in Łódź; 6 January is a holiday.
    const { report: waiting } = await createProblemReport(db.db, anna, { teamId: 'lodz', category: 'financial', urgency: 'normal', description: 'Faktura', link: null }, clock.now());
    const { report: answered } = await createProblemReport(db.db, anna, { teamId: 'lodz', category: 'legal', urgency: 'normal', description: 'Umowa', link: null }, clock.now());
    await routeNewReport(db.db, waiting);
    await routeNewReport(db.db, answered);
    await dispatcher.drain();
    expect(subjectsTo('jan.kowalski@example.org')).toEqual(expect.arrayContaining(['Nowe zgłoszenie LDZ-2027-001 (PZK Łódź – demo)', 'Nowe zgłoszenie LDZ-2027-002 (PZK Łódź – demo)']));
    await changeReport(db.db, await person('jan.kowalski@example.org'), 'LDZ-2027-002', 'acknowledged', null, new Date('2027-01-05T12:00:00Z'));

    // Working days after Tuesday the 5th: Thursday 7th and Friday 8th; the reminder comes at 10:00 on the 8th.
    clock.set('2027-01-08T08:59:00Z');
    await dispatcher.drain();
    expect(subjectsTo('jan.kowalski@example.org')).toHaveLength(2);
    clock.set('2027-01-08T09:00:00Z');
    await dispatcher.drain();
    expect(subjectsTo('jan.kowalski@example.org').slice(2)).toEqual(['Przypomnienie: zgłoszenie LDZ-2027-001 czeka na przyjęcie']);
    expect(subjectsTo('elzbieta.pawlak@example.org')).toHaveLength(2);
    // The admin's turn is the next working day: Monday the 11th.
    clock.set('2027-01-11T09:00:00Z');
    await dispatcher.drain();
    expect(subjectsTo('elzbieta.pawlak@example.org').slice(2)).toEqual(['Przypomnienie: zgłoszenie LDZ-2027-001 czeka na przyjęcie']);
    expect(smtp.mails.find((m) => m.subject?.includes('Przypomnienie') && m.to && 'text' in m.to && m.to.text === 'elzbieta.pawlak@example.org')!.text).toContain('mimo przypomnienia dla RCPS');
    expect(smtp.mails.filter((m) => m.subject?.includes('Przypomnienie: zgłoszenie LDZ-2027-002'))).toEqual([]);
    const cancelled = await db.db.selectFrom('deliveries').select('state').where('dedupe_key', 'like', 'report:LDZ-2027-002:escalate-%').execute();
    expect(cancelled.map((r) => r.state)).toEqual(['cancelled', 'cancelled']);
  });
});
