import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { openWorld, type World } from '../outbox/world.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';
import { applyAbsences } from '../../src/participation/absences.js';

const ANNA = 'anna.nowak@example.org';
const MARTA = 'marta.grabowska@example.org';

describe.each(dialects)('absence periods on %s', (kind) => {
  let w: World;
  beforeAll(async () => {
    w = await openWorld(kind);
  }, 60_000);
  afterAll(() => w.close());
  beforeEach(async () => {
    await w.reset();
    await planReminders(w.db.db, { clock: w.clock });
  });
  const answers = async (email: string) =>
    w.db.db.selectFrom('meeting_answers').select(['occurrence_date', 'answer', 'source', 'absence_id']).where('person_id', '=', await w.personId(email)).orderBy('occurrence_date').execute();

  it('"ustawienia urlop od do" answers every meeting in the period at once, and their reminders are not sent', async () => {
    const reply = await w.say(ANNA, 'ustawienia', 'urlop 2027-01-10 2027-01-31');
    expect(reply.text).toContain('Zapisano nieobecność od 2027-01-10 do 2027-01-31. 2 spotkania w tym czasie oznaczono „nie będę”');
    const rows = await answers(ANNA);
    expect(rows.map((r) => [r.occurrence_date, r.answer, r.source])).toEqual([
      ['2027-01-12', 'not_attending', 'absence'],
      ['2027-01-26', 'not_attending', 'absence'],
    ]);
    for (const at of ['2027-01-05T09:00:00Z', '2027-01-11T09:00:00Z', '2027-01-12T07:00:00Z']) {
      w.clock.set(at);
      await w.drain();
    }
    const annaId = await w.personId(ANNA);
    const sentToAnna = w.results.filter((r) => r.personId === annaId && r.kind === 'reminder' && r.outcome === 'sent' && r.key.includes(':2027-01-12'));
    expect(sentToAnna).toEqual([]);
    const martaId = await w.personId(MARTA);
    expect(w.results.filter((r) => r.personId === martaId && r.kind === 'reminder' && r.outcome === 'sent' && r.key.includes(':2027-01-12'))).toHaveLength(3);
  });

  it('one meeting reads in the singular; a bad period is refused politely and stores nothing', async () => {
    expect((await w.say(ANNA, 'ustawienia', 'urlop 2027-01-20 2027-01-27')).text).toContain('1 spotkanie w tym czasie oznaczono „nie będę”; przypomnień o nim nie wyślemy.');
    expect((await w.say(MARTA, 'ustawienia', 'urlop 2027-02-01 2027-01-01')).text).toContain('Proszę podać dwie daty');
    expect(await answers(MARTA)).toEqual([]);
  });

  it('a meeting moved into the period later is answered too; removing the period removes only the answers it made', async () => {
    await w.say(ANNA, 'nie będę', '2027-01-26 szkolenie');
    await w.say(ANNA, 'ustawienia', 'urlop 2027-02-01 2027-02-10');
    // The 26 January meeting is the person's own answer; 9 February falls in the period.
    expect((await answers(ANNA)).map((r) => [r.occurrence_date, r.source])).toEqual([
      ['2027-01-26', 'chat'],
      ['2027-02-09', 'absence'],
    ]);
    // A coordinator moves the 23 February meeting to 3 February: into the period.
    await w.say(ANNA, 'spotkania', 'przenieś 2027-02-23 2027-02-03 10:00');
    await processScheduleChanges(w.db.db, w.clock);
    expect((await answers(ANNA)).map((r) => [r.occurrence_date, r.source])).toEqual([
      ['2027-01-26', 'chat'],
      ['2027-02-09', 'absence'],
      ['2027-02-23', 'absence'],
    ]);
    const reply = await w.say(ANNA, 'ustawienia', 'urlop usuń 2027-02-01');
    expect(reply.text).toContain('Cofnięto 2 odpowiedzi „nie będę”, które ta nieobecność dała.');
    expect((await answers(ANNA)).map((r) => [r.occurrence_date, r.source])).toEqual([['2027-01-26', 'chat']]);
    expect((await w.say(ANNA, 'settings', 'leave')).text).toContain('Nie ma zapisanych nieobecności.');
  });

  it('an occurrence that comes within reach later is answered by the daily run', async () => {
    await w.say(MARTA, 'ustawienia', 'urlop 2027-01-01 2027-12-31');
    const before = (await answers(MARTA)).length;
    await w.db.db.deleteFrom('meeting_answers').where('occurrence_date', '>', '2027-02-01').execute();
    expect(await applyAbsences(w.db.db, w.clock)).toBeGreaterThan(0);
    expect((await answers(MARTA)).length).toBe(before);
  });
});
