import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { openWorld, type World } from '../outbox/world.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';
import { applyAbsences } from '../../src/participation/absences.js';

/**
 * An absence period answers "nie będę" only where the person has not said otherwise since, only
 * while the meeting falls in a period, and only within limits (366 days, the reminder horizon).
 */
const ANNA = 'anna.nowak@example.org';
/** Tuesday 12 January 2027, 10:00 Warsaw, team "lodz" of the demo schedule. */
const MEETING = '2027-01-12';

describe.each(dialects)('absence answers on %s', (kind) => {
  let w: World;
  // A world per test: some tests move meetings, which reset() does not undo.
  beforeEach(async () => {
    w = await openWorld(kind);
    await planReminders(w.db.db, { clock: w.clock });
  }, 60_000);
  afterEach(() => w.close());

  const answerOf = async (email: string, date = MEETING) =>
    w.db.db.selectFrom('meeting_answers').select(['answer', 'source']).where('person_id', '=', await w.personId(email)).where('occurrence_date', '=', date).executeTakeFirst();

  it('the daily absence run does not overwrite "będę" the person said after adding the period', async () => {
    await w.say(ANNA, 'ustawienia', 'urlop 2027-01-10 2027-01-31');
    expect(await answerOf(ANNA)).toMatchObject({ answer: 'not_attending', source: 'absence' });
    expect((await w.say(ANNA, 'będę', '12.01')).text).toContain('Zapisano: będzie Pani/Pan');
    w.clock.set('2027-01-05T02:00:00Z');
    await applyAbsences(w.db.db, w.clock);
    expect(await answerOf(ANNA)).toMatchObject({ answer: 'attending', source: 'chat' });
  });

  it('a "będę" given before the period was added is overridden by it (the period is the newer word)', async () => {
    expect((await w.say(ANNA, 'będę', '12.01')).text).toContain('Zapisano: będzie Pani/Pan');
    w.clock.set('2027-01-04T09:00:00Z');
    await w.say(ANNA, 'ustawienia', 'urlop 2027-01-10 2027-01-31');
    expect(await answerOf(ANNA)).toMatchObject({ answer: 'not_attending', source: 'absence' });
  });

  it('an absence period longer than 366 days is refused politely, naming the limit, and nothing is written', async () => {
    const reply = await w.say(ANNA, 'ustawienia', 'urlop 2027-01-10 2046-12-31');
    expect(reply.text).toContain('najwyżej 366 dni');
    const { n } = await w.db.db.selectFrom('meeting_answers').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(n)).toBe(0);
  });

  it('a period of a year answers only the meetings within the reminder horizon; the daily run answers the next as they come', async () => {
    await w.say(ANNA, 'ustawienia', 'urlop 2027-01-10 2027-12-31');
    expect(await answerOf(ANNA, '2027-02-23')).toMatchObject({ answer: 'not_attending', source: 'absence' });
    expect(await answerOf(ANNA, '2027-06-08')).toBeUndefined();
    w.clock.set('2027-05-01T02:00:00Z');
    await applyAbsences(w.db.db, w.clock);
    expect(await answerOf(ANNA, '2027-06-08')).toMatchObject({ answer: 'not_attending', source: 'absence' });
  });

  it('a meeting moved out of an absence period is no longer answered "nie będę" for the person', async () => {
    await w.say(ANNA, 'ustawienia', 'urlop 2027-02-01 2027-02-10');
    expect(await answerOf(ANNA, '2027-02-09')).toMatchObject({ answer: 'not_attending', source: 'absence' });
    const moved = await w.say(ANNA, 'spotkania', 'przenieś 2027-02-09 2027-02-16 10:00');
    expect(moved.text).toContain('16 lutego');
    await processScheduleChanges(w.db.db, w.clock);
    expect(await answerOf(ANNA, '2027-02-09')).toBeUndefined();
  });
});
