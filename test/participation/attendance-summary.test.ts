import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { openWorld, type World } from '../outbox/world.js';
import { planSummaries, renderSummary } from '../../src/participation/summary-plans.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';
import { checkAttendanceLink } from '../../src/participation/attendance-links.js';
import { SECRET } from '../outbox/world.js';
import { collectPersonalData, erasePersonalData } from '../../src/privacy/personal-data.js';

const ANNA = 'anna.nowak@example.org'; // coordinator of lodz
const MARTA = 'marta.grabowska@example.org';
const KASIA = 'katarzyna.wisniewska@example.org';
const JAN = 'jan.kowalski@example.org'; // RCPS

describe.each(dialects)('obecność: the attendance summary on %s', (kind) => {
  let w: World;
  beforeAll(async () => {
    w = await openWorld(kind);
  }, 60_000);
  afterAll(() => w.close());
  beforeEach(async () => {
    await w.reset();
    await w.db.db.deleteFrom('attendance').execute();
  });

  it('a coordinator sees who will come, who will not (with reason) and who has not answered, by institution, with list links signed for them', async () => {
    await w.say(MARTA, 'będę', '12.01');
    await w.say(KASIA, 'nie będę', '12.01 rozprawa w sądzie');
    const summary = await w.say(ANNA, 'obecność', '12.01.2027');
    expect(summary.title).toBe('Obecność: spotkanie zespołu PZK Łódź – demo (wtorek, 12 stycznia 2027, 10:00)');
    expect(summary.text).toBe('1 osoba będzie, 1 nie będzie, 9 osób nie odpowiedziało.');
    const mops = summary.items!.find((i) => i.title === 'Miejski Ośrodek Pomocy Społecznej w Łodzi')!;
    expect(mops.lines).toEqual(['Anna Nowak: brak odpowiedzi', 'Marta Grabowska: będzie']);
    const court = summary.items!.find((i) => i.title.startsWith('Sąd Rejonowy'))!;
    expect(court.lines).toEqual(['Katarzyna Wiśniewska: nie będzie (powód: rozprawa w sądzie)']);
    const [pdf, csv] = summary.links!;
    expect(pdf!.url).toMatch(/\/attendance\/[^/]+\.pdf$/);
    expect(csv!.url).toMatch(/\.csv$/);
    const token = pdf!.url.split('/attendance/')[1]!.replace(/\.pdf$/, '');
    expect(checkAttendanceLink(SECRET, token, w.clock.now())).toEqual({ ok: true, viewerId: await w.personId(ANNA), subject: { kind: 'meeting', refId: 'lodz', day: '2027-01-12' } });
  });

  it('after the meeting, recorded presence is shown', async () => {
    const marta = await w.personId(MARTA);
    await w.db.db.insertInto('attendance').values({ kind: 'meeting', ref_id: 'lodz', day: '2027-01-12', person_id: marta, present: true, method: 'coordinator', marked_at: w.clock.now() }).execute();
    const summary = await w.say(ANNA, 'attendance', '2027-01-12');
    expect(summary.text).toContain('Obecnych: 1 z 11.');
    expect(summary.items!.flatMap((i) => i.lines)).toContain('Marta Grabowska: brak odpowiedzi [obecna/obecny]');
  });

  it('a member is refused politely; RCPS must name the team when there are several; a coordinator cannot see another team', async () => {
    expect((await w.say(MARTA, 'obecność', '')).text).toBe('Podsumowanie obecności widzą koordynatorzy zespołu i pracownicy RCPS.');
    expect((await w.say(JAN, 'obecność', '12.01')).text).toContain('Proszę wskazać zespół');
    expect((await w.say(JAN, 'obecność', '12.01 lodz')).title).toContain('Obecność: spotkanie zespołu PZK Łódź');
    expect((await w.say(ANNA, 'obecność', '12.01 lowicz')).text).toContain('Nie ma zespołu „lowicz” albo nie koordynuje go Pani/Pan.');
  });

  it('the day before, coordinators get the summary with their links and the team’s channel gets it without; a move re-plans it', async () => {
    await w.db.db.updateTable('teams').set({ slack_channel: 'C-LODZ' }).where('id', '=', 'lodz').execute();
    await planSummaries(w.db.db, { clock: w.clock });
    const rows = await w.db.db.selectFrom('deliveries').select(['dedupe_key', 'due_at', 'place_address']).where('kind', '=', 'attendance_summary').where('dedupe_key', 'like', 'attendance-summary:lodz:2027-01-12:%').orderBy('dedupe_key').execute();
    expect(rows.map((r) => r.dedupe_key)).toEqual([`attendance-summary:lodz:2027-01-12:${await w.personId(ANNA)}`, 'attendance-summary:lodz:2027-01-12:place:slack']);
    expect(rows[0]!.due_at.toISOString()).toBe('2027-01-11T09:00:00.000Z');
    // The channel's copy carries no personal links; the coordinator's has the lists signed for them.
    const full = await w.db.db.selectFrom('deliveries').selectAll().where('kind', '=', 'attendance_summary').where('dedupe_key', 'like', 'attendance-summary:lodz:2027-01-12:%').orderBy('dedupe_key').execute();
    const [own, place] = await Promise.all(full.map((row) => renderSummary(w.db.db, row, 'pl', 'https://koop.example.org', SECRET)));
    expect(own!.links!.map((l) => l.label)).toEqual(['Lista obecności (PDF)', 'Lista obecności (CSV)']);
    expect(place!.links).toBeUndefined();
    expect(place!.title).toBe(own!.title);
    await w.say(ANNA, 'spotkania', 'przenieś 2027-01-12 2027-01-13 12:00');
    await processScheduleChanges(w.db.db, w.clock);
    const after = await w.db.db.selectFrom('deliveries').select(['dedupe_key', 'due_at']).where('kind', '=', 'attendance_summary').where('dedupe_key', 'like', 'attendance-summary:lodz:2027-01-12%').where('state', '=', 'pending').orderBy('dedupe_key').execute();
    expect(after.map((r) => r.dedupe_key)).toEqual([
      `attendance-summary:lodz:2027-01-12@2027-01-13T11:00:00.000Z:${await w.personId(ANNA)}`,
      'attendance-summary:lodz:2027-01-12@2027-01-13T11:00:00.000Z:place:slack',
    ]);
    w.clock.set('2027-01-12T11:30:00Z');
    await w.drain();
    const sent = w.sent.filter((s) => s.title.startsWith('Obecność:'));
    expect(sent.map((s) => s.address).sort()).toEqual(['C-LODZ', ANNA].sort());
  });

  it('answers and absences are in moje-dane and go with the person', async () => {
    await w.say(KASIA, 'nie będę', '12.01 rozprawa');
    await w.say(KASIA, 'ustawienia', 'urlop 2027-03-01 2027-03-05');
    const id = await w.personId(KASIA);
    const data = await collectPersonalData(w.db.db, id, w.clock);
    expect(JSON.stringify(data.parts.meeting_answers)).toContain('rozprawa');
    expect(data.parts.absence_periods).toHaveLength(1);
    await erasePersonalData(w.db.db, id, w.clock);
    expect(await w.db.db.selectFrom('meeting_answers').select('person_id').where('person_id', '=', id).execute()).toEqual([]);
    expect(await w.db.db.selectFrom('absence_periods').select('id').where('person_id', '=', id).execute()).toEqual([]);
  });
});
