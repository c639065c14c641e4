import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmailAdapter } from '../../adapters/email/index.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { Dispatcher } from '../../src/delivery/dispatcher.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';
import { createLogger } from '../../src/log.js';
import { changeReport, createProblemReport } from '../../src/reports/problem-reports.js';
import { planDigests, renderDigest } from '../../src/reports/digest.js';
import type { DeliveryRow } from '../../src/db/tables.js';
import { saveStatus } from '../../src/reports/status-updates.js';
import { emailAdapterFor, startSmtp, type FakeSmtp } from '../adapters/email/support.js';
import { dialects, demoDatabase } from '../support/databases.js';

const log = createLogger('silent');

describe.each(dialects)('The weekly digest for RCPS on %s', (kind) => {
  let db: Db;
  let smtp: FakeSmtp;
  let email: ReturnType<typeof createEmailAdapter>;
  const clock = new FixedClock('2027-03-10T12:00:00Z');

  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
    smtp = await startSmtp();
    email = emailAdapterFor(smtp);
  });
  afterAll(async () => {
    await email?.stop();
    await smtp?.close();
    await db?.close();
  });

  it('should plan one digest per RCPS person and Monday, at 08:00 Polish time', async () => {
    expect(await planDigests(db.db, clock)).toBe(4);
    expect(await planDigests(db.db, clock)).toBe(0);
    const rows = await db.db.selectFrom('deliveries').select(['dedupe_key', 'due_at']).where('kind', '=', 'digest').orderBy('due_at').execute();
    expect([...new Set(rows.map((r) => r.due_at.toISOString()))]).toEqual(['2027-03-15T07:00:00.000Z', '2027-03-22T07:00:00.000Z']);
    // After the March clock change (28 March) 08:00 Warsaw is 06:00 UTC.
    clock.set('2027-03-24T12:00:00Z');
    await planDigests(db.db, clock);
    const later = await db.db.selectFrom('deliveries').select('due_at').where('dedupe_key', 'like', 'digest:2027-03-29:%').executeTakeFirstOrThrow();
    expect(later.due_at.toISOString()).toBe('2027-03-29T06:00:00.000Z');
  });

  it('should tell per team the updates of the week, meetings held or cancelled, open reports and silent teams', async () => {
    const person = (email: string) => db.db.selectFrom('people').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    const anna = await person('anna.nowak@example.org');
    const jan = await person('jan.kowalski@example.org');
    await saveStatus(db.db, anna, { teamId: 'lodz', done: 'Stary status sprzed tygodnia', nextSteps: null, peopleCount: null, blockers: null }, new Date('2027-03-05T10:00:00Z'));
    await saveStatus(db.db, anna, { teamId: 'lodz', done: 'Przygotowania do warsztatów w Spale', nextSteps: null, peopleCount: 4, blockers: null }, new Date('2027-03-10T10:00:00Z'));
    await createProblemReport(db.db, anna, { teamId: 'lodz', category: 'legal', urgency: 'normal', description: 'Pytanie o RODO', link: null }, new Date('2027-03-02T10:00:00Z'));
    await createProblemReport(db.db, anna, { teamId: 'lodz', category: 'other', urgency: 'normal', description: 'Sala zajęta', link: null }, new Date('2027-03-03T10:00:00Z'));
    await changeReport(db.db, jan, 'LDZ-2027-002', 'resolved', 'Nowa sala', new Date('2027-03-04T10:00:00Z'));

    clock.set('2027-03-15T07:00:00Z');
    const dispatcher = new Dispatcher({ db: db.db, senders: new Map([['email', email.sender]]), clock, log, workerId: 'w', render: deliveryRenderer(db.db, 'https://koop.example.org') });
    await dispatcher.drain();
    const digests = smtp.mails.filter((m) => m.subject?.startsWith('Podsumowanie tygodnia'));
    expect(digests.map((m) => (m.to && 'text' in m.to ? m.to.text : '')).sort()).toEqual(['elzbieta.pawlak@example.org', 'jan.kowalski@example.org']);
    const text = digests[0]!.text!;
    expect(digests[0]!.subject).toBe('Podsumowanie tygodnia zespołów PZK (od 8 marca 2027)');
    const lodz = text.slice(text.indexOf('PZK Łódź'), text.indexOf('PZK Łowicz'));
    const lowicz = text.slice(text.indexOf('PZK Łowicz'));
    expect(lodz).toContain('1 aktualizacja statusu');
    expect(lodz).toContain('Ostatnio: Przygotowania do warsztatów w Spale');
    expect(lodz).toContain('Spotkania odwołane: 9 marca 2027');
    expect(lodz).toContain('1 otwarte zgłoszenie: LDZ-2027-001');
    expect(lodz).not.toContain('LDZ-2027-002');
    expect(lodz).not.toContain('Brak statusu');
    expect(lowicz).toContain('0 aktualizacji statusu');
    expect(lowicz).toContain('Brak spotkań w tym tygodniu');
    expect(lowicz).toContain('Brak statusu od ponad miesiąca (ostatni: nigdy)');
  });

  it('should cut a long latest status between whole characters, never through an emoji (issue 14)', async () => {
    const anna = await db.db.selectFrom('people').selectAll().where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow();
    // The 200th code unit is the first half of the emoji.
    await saveStatus(db.db, anna, { teamId: 'lodz', done: `${'x'.repeat(199)}👩🏽‍💻 i dalej`, nextSteps: null, peopleCount: null, blockers: null }, new Date('2027-03-31T10:00:00Z'));
    const message = await renderDigest(db.db, {} as DeliveryRow, { type: 'digest', week: '2027-04-05' }, 'pl');
    const latest = message.items!.find((i) => i.title.startsWith('PZK Łódź'))!.lines.find((l) => l.includes('xxx'))!;
    expect(latest).toMatch(/x…$/);
    expect(latest).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('should show the address of a Markdown link in a member’s status openly, never behind its label', async () => {
    const anna = await db.db.selectFrom('people').selectAll().where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow();
    await saveStatus(db.db, anna, { teamId: 'lodz', done: 'Proszę się zalogować: [Formularz RCPS](https://phish.example.net/x)', nextSteps: null, peopleCount: null, blockers: null }, new Date('2027-04-06T10:00:00Z'));
    const message = await renderDigest(db.db, {} as DeliveryRow, { type: 'digest', week: '2027-04-12' }, 'pl');
    const latest = message.items!.find((i) => i.title.startsWith('PZK Łódź'))!.lines.find((l) => l.includes('Formularz RCPS'))!;
    expect(latest).toContain('Formularz RCPS (https://phish.example.net/x)');
    expect(latest).not.toContain('](');
  });

  it('should show as latest the update written later when two have the same time', async () => {
    const anna = await db.db.selectFrom('people').selectAll().where('email', '=', 'anna.nowak@example.org').executeTakeFirstOrThrow();
    const at = new Date('2027-04-13T10:00:00Z');
    await saveStatus(db.db, anna, { teamId: 'lodz', done: 'Napisany pierwszy', nextSteps: null, peopleCount: null, blockers: null }, at);
    await saveStatus(db.db, anna, { teamId: 'lodz', done: 'Napisany drugi', nextSteps: null, peopleCount: null, blockers: null }, at);
    const message = await renderDigest(db.db, {} as DeliveryRow, { type: 'digest', week: '2027-04-19' }, 'pl');
    const lines = message.items!.find((i) => i.title.startsWith('PZK Łódź'))!.lines;
    expect(lines).toContain('2 aktualizacje statusu');
    expect(lines).toContain('Ostatnio: Napisany drugi');
  });

  it('should ask the database the same few statements whatever the number of teams, not three per team', async () => {
    let statements = 0;
    const counted = db.db.withPlugin({ transformQuery: (args) => (statements++, args.node), transformResult: async (args) => args.result });
    const render = async () => {
      statements = 0;
      await renderDigest(counted, {} as DeliveryRow, { type: 'digest', week: '2027-04-12' }, 'pl');
      return statements;
    };
    const before = await render();
    // Ten teams more (copies of Łódź's series): the same statements, each reading more rows.
    const series = await db.db.selectFrom('meeting_series').selectAll().where('team_id', '=', 'lodz').executeTakeFirstOrThrow();
    const team = await db.db.selectFrom('teams').selectAll().where('id', '=', 'lodz').executeTakeFirstOrThrow();
    for (let i = 0; i < 10; i++) {
      await db.db.insertInto('teams').values({ ...team, id: `kopia-${i}`, name: `Kopia ${i}`, report_code: `KP${i}`, slack_channel: null, teams_channel: null }).execute();
      await db.db.insertInto('meeting_series').values({ ...series, id: undefined, team_id: `kopia-${i}`, reminders: JSON.stringify(series.reminders) } as never).execute();
    }
    const message = await renderDigest(db.db, {} as DeliveryRow, { type: 'digest', week: '2027-04-12' }, 'pl');
    expect(message.items!.filter((i) => i.title.startsWith('Kopia'))).toHaveLength(10);
    expect(await render()).toBe(before);
  });
});
