import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { openWorld, PUBLIC_URL, SECRET, type World } from '../outbox/world.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';
import { answerMeeting, type AnswerMeetingInput } from '../../src/participation/meeting-answers.js';
import { checkAnswerLink } from '../../src/participation/answer-links.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';

/** E-mail answer links follow the meeting: a postponement does not expire them at the old start. */
const ANNA = 'anna.nowak@example.org';
/** Tuesday 12 January 2027, 10:00 Warsaw, team "lodz" of the demo schedule. */
const MEETING = '2027-01-12';

describe.each(dialects)('answer links of a postponed meeting, on %s', (kind) => {
  let w: World;
  beforeEach(async () => {
    w = await openWorld(kind);
    await planReminders(w.db.db, { clock: w.clock });
  }, 60_000);
  afterEach(() => w.close());

  it('the e-mail answer links of a reminder still work after the meeting was postponed, until its new start', async () => {
    const anna = await w.personId(ANNA);
    w.clock.set('2027-01-05T09:00:00Z');
    const row = await w.db.db.selectFrom('deliveries').selectAll().where('kind', '=', 'reminder').where('person_id', '=', anna).where('dedupe_key', 'like', `reminder:lodz:${MEETING}:%`).orderBy('due_at').executeTakeFirstOrThrow();
    expect((row.channels as string[])[row.channel_index]).toBe('email');
    const message = await deliveryRenderer(w.db.db, PUBLIC_URL, SECRET)(row, 'pl');
    const notAttending = message!.links!.find((l) => l.label === 'Nie będę')!.url.split('/meeting-answer/')[1]!;
    // The coordinator postpones the meeting by two days.
    const moved = await w.say(ANNA, 'spotkania', `przenieś ${MEETING} 2027-01-14 10:00`);
    expect(moved.text).not.toContain('Coś poszło nie tak');
    await processScheduleChanges(w.db.db, w.clock);
    // 13 January: after the old start, a day before the new one. Answers are open (answerMeeting)...
    w.clock.set('2027-01-13T09:00:00Z');
    const input: AnswerMeetingInput = { teamId: 'lodz', occurrenceDate: MEETING, personId: anna, answer: 'attending', source: 'chat' };
    expect(await answerMeeting(w.db.db, input, w.clock)).toMatchObject({ ok: true });
    // ...and so does the link in the e-mail, signed before the move.
    expect(checkAnswerLink(SECRET, notAttending, w.clock.now())).toMatchObject({ ok: true, personId: anna, answer: 'not_attending' });
  });
});
