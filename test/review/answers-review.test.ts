import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { openWorld, PUBLIC_URL, SECRET, type World } from '../outbox/world.js';
import { backendPid, waitingOn } from '../support/lock-waits.js';
import { FixedClock } from '../../src/clock.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';
import { answerMeeting, type AnswerMeetingInput } from '../../src/participation/meeting-answers.js';
import { checkAnswerLink } from '../../src/participation/answer-links.js';
import { deliveryRenderer } from '../../src/delivery/render-delivery.js';

/**
 * Hostile review of issue 15 "Before: will I come?" (merge 5d8c641). Each test proves a bug;
 * they fail on the branch as merged.
 */
const ANNA = 'anna.nowak@example.org';
/** Tuesday 12 January 2027, 10:00 Warsaw, team "lodz" of the demo schedule. */
const MEETING = '2027-01-12';

describe.each(dialects)('review of meeting answers on %s', (kind) => {
  let w: World;
  // A world per test: some tests move or cancel the 12 January meeting, which reset() does not undo.
  beforeEach(async () => {
    w = await openWorld(kind);
    await planReminders(w.db.db, { clock: w.clock });
  }, 60_000);
  afterEach(() => w.close());

  const answerOf = async (email: string, date = MEETING) =>
    w.db.db.selectFrom('meeting_answers').select(['answer', 'source', 'substitute_person_id']).where('person_id', '=', await w.personId(email)).where('occurrence_date', '=', date).executeTakeFirst();

  const ZOFIA = 'zofia.zastepca@example.org';
  /** Anna names Zofia (same institution, not a member of the team) to come instead on 12 January. */
  const nameZofia = async () => {
    const { institution } = await w.db.db.selectFrom('people').select('institution').where('email', '=', ANNA).executeTakeFirstOrThrow();
    await w.db.db.insertInto('people').values({ email: ZOFIA, name: 'Zofia Zastępca', institution, language: 'pl', channels: JSON.stringify(['email']), source: 'test' }).execute();
    w.clock.set('2027-01-06T08:00:00Z');
    expect((await w.say(ANNA, 'zastępstwo', `12.01 ${ZOFIA}`)).text).toContain('W zastępstwie przyjdzie Zofia Zastępca');
    await w.drain();
    expect(w.sent.filter((s) => s.address === ZOFIA).map((s) => s.title)).toEqual(['Zastępstwo na spotkaniu zespołu PZK Łódź – demo']);
  };

  it('a substitute is told when the meeting they were asked to stand in at is cancelled', async () => {
    await nameZofia();
    const before = w.sent.length;
    const cancelled = await w.say(ANNA, 'spotkania', `odwołaj ${MEETING}`);
    expect(cancelled.text).not.toContain('Coś poszło nie tak');
    await processScheduleChanges(w.db.db, w.clock);
    await w.drain();
    const toMembers = w.sent.slice(before).filter((s) => s.address === 'marta.grabowska@example.org');
    expect(toMembers.length).toBeGreaterThan(0); // the members are told...
    // ...but Zofia, who was asked to come in Anna's place, is not: she will go to a cancelled meeting.
    expect(w.sent.slice(before).filter((s) => s.address === ZOFIA)).not.toEqual([]);
  });

  it('a substitute is told when the meeting is moved (her reminders do follow it)', async () => {
    await nameZofia();
    const before = w.sent.length;
    await w.say(ANNA, 'spotkania', `przenieś ${MEETING} 2027-01-14 10:00`);
    await processScheduleChanges(w.db.db, w.clock);
    await w.drain();
    const notices = w.sent.slice(before).filter((s) => s.address === ZOFIA);
    for (const at of ['2027-01-11T09:00:00Z', '2027-01-12T07:00:00Z', '2027-01-13T09:00:00Z', '2027-01-14T07:00:00Z']) {
      w.clock.set(at);
      await w.drain();
    }
    const reminders = w.sent.slice(before).filter((s) => s.address === ZOFIA && s.title.startsWith('Przypomnienie'));
    expect(reminders.map((r) => r.text).join('\n')).toContain('14 stycznia');
    // Her reminders do follow the move (fanOutSubstitutes)...
    expect(reminders.map((r) => r.text).join('\n')).not.toContain('12 stycznia');
    // ...but nothing tells her the day changed, as every member is told (meeting-notices.ts asks memberships only).
    expect(notices).not.toEqual([]);
  });

  /** `first` runs in a transaction held open until `second` (another connection) waits on it. */
  async function race<T>(first: (trx: any) => Promise<T>, second: () => Promise<T>): Promise<[T, T]> {
    const db = w.db.db;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let written!: (pid: number) => void;
    const holding = new Promise<number>((r) => (written = r));
    const a = db.transaction().execute(async (trx) => {
      const result = await first(trx);
      written(await backendPid(trx));
      await gate;
      return result;
    });
    const pid = await holding;
    const b = second();
    for (let i = 0; i < 100 && (await waitingOn(db, pid)) === 0; i++) await new Promise((r) => setTimeout(r, 20));
    release();
    return Promise.all([a, b]);
  }
});
