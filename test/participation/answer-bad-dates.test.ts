import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { openWorld, type World } from '../outbox/world.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { readAnswerDate } from '../../src/participation/answer-dates.js';

/** A forged or broken date in a button value or form id is a polite "no such meeting", never an internal error. */
const ANNA = 'anna.nowak@example.org';
const MEETING = '2027-01-12';

describe.each(dialects)('answers naming a date that is not a day, on %s', (kind) => {
  let w: World;
  beforeAll(async () => {
    w = await openWorld(kind);
  }, 60_000);
  beforeEach(async () => {
    await w.reset();
    await planReminders(w.db.db, { clock: w.clock });
  });
  afterAll(() => w.close());

  const answerOf = async (email: string, date = MEETING) =>
    w.db.db.selectFrom('meeting_answers').select(['answer', 'source']).where('person_id', '=', await w.personId(email)).where('occurrence_date', '=', date).executeTakeFirst();

  it('a malformed or forged button value ("lodz|garbage", "lodz|2027-02-30", "lodz|") gets the polite "no meeting" refusal and records nothing', async () => {
    for (const value of ['lodz|garbage', 'lodz|2027-02-30', 'lodz|']) {
      const reply = await w.press(ANNA, 'meeting:attending', value);
      expect(reply.text, value).not.toContain('Coś poszło nie tak');
      expect(reply.text, value).toContain('nie ma spotkania');
    }
    expect(await answerOf(ANNA)).toBeUndefined();
  });

  it('a substitute form whose id carries a bad date gets the polite refusal, not an internal error', async () => {
    const reply = await w.bot.handle({ type: 'form', from: { channel: 'console', email: ANNA }, formId: 'meeting-substitute|lodz|2027-13-45', values: { email: 'x@example.org' } } as never);
    expect(JSON.stringify(reply)).not.toContain('Coś poszło nie tak');
    expect(JSON.stringify(reply)).toContain('nie ma spotkania');
  });
});

describe('reading a short date', () => {
  it('"29.02" typed after February of a common year is the next 29 February (2028)', () => {
    expect(readAnswerDate('29.02', new Date('2027-03-01T10:00:00Z'), 'Europe/Warsaw')).toBe('2028-02-29');
    expect(readAnswerDate('31.04', new Date('2027-03-01T10:00:00Z'), 'Europe/Warsaw')).toBeUndefined();
  });
});
