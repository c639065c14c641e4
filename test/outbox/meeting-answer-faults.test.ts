import { describe, expect, it } from 'vitest';
import { answerMeeting } from '../../src/participation/meeting-answers.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { dialects } from '../support/databases.js';
import { failEachWrite, sentCounts } from './each-write.js';

const ANNA = 'anna.nowak@example.org';
const MARTA = 'marta.grabowska@example.org';
const LONG = 240_000;

describe.each(dialects)('answers before a meeting with each write failed in turn, then retried, on %s', (kind) => {
  it('"przyjdzie za mnie…" by link: the answer, its confirmation, the substitute’s notice and reminders together or not at all', async () => {
    await failEachWrite(kind, {
      setup: async (w) => void (await planReminders(w.db.db, { clock: w.clock, horizonDays: 30 })),
      act: async (w) => {
        try {
          return await answerMeeting(
            w.db.db,
            { teamId: 'lodz', occurrenceDate: '2027-01-12', personId: await w.personId(ANNA), answer: 'not_attending', substituteEmail: MARTA, reason: 'urlop', source: 'link' },
            w.clock,
          );
        } catch (error) {
          // The injected failure: the page answers 500 and the person presses again.
          return error;
        }
      },
      async settled(w) {
        const rows = await w.db.db.selectFrom('meeting_answers').select(['answer', 'substitute_email', 'reason']).execute();
        expect(rows).toEqual([{ answer: 'not_attending', substitute_email: MARTA, reason: 'urlop' }]);
        expect(Object.values(sentCounts(w, 'meeting-answer:'))).toEqual([1]);
        expect(Object.values(sentCounts(w, 'meeting-substitute:'))).toEqual([1]);
      },
    });
  }, LONG);

  it('an absence period and the answers it makes are stored together', async () => {
    await failEachWrite(kind, {
      act: (w) => w.say(ANNA, 'ustawienia', 'urlop 2027-01-10 2027-01-31'),
      async settled(w) {
        expect(await w.db.db.selectFrom('absence_periods').select(['starts_on', 'ends_on']).execute()).toEqual([{ starts_on: '2027-01-10', ends_on: '2027-01-31' }]);
        const answers = await w.db.db.selectFrom('meeting_answers').select(['occurrence_date', 'source']).orderBy('occurrence_date').execute();
        expect(answers).toEqual([
          { occurrence_date: '2027-01-12', source: 'absence' },
          { occurrence_date: '2027-01-26', source: 'absence' },
        ]);
      },
    });
  }, LONG);
});
