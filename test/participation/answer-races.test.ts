import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { openWorld, type World } from '../outbox/world.js';
import { backendPid, waitingOn } from '../support/lock-waits.js';
import { FixedClock } from '../../src/clock.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { answerMeeting } from '../../src/participation/meeting-answers.js';

/**
 * Two replicas answering for one person and one meeting at once wait for each other
 * (answerMeeting's advisory lock), so the second reads what the first wrote.
 */
const ANNA = 'anna.nowak@example.org';
/** Tuesday 12 January 2027, 10:00 Warsaw, team "lodz" of the demo schedule. */
const MEETING = '2027-01-12';

describe.each(dialects)('answers racing on two connections, on %s', (kind) => {
  let w: World;
  beforeEach(async () => {
    w = await openWorld(kind);
    await planReminders(w.db.db, { clock: w.clock });
  }, 60_000);
  afterEach(() => w.close());

  const answerOf = async (email: string, date = MEETING) =>
    w.db.db.selectFrom('meeting_answers').select(['answer', 'source', 'substitute_person_id']).where('person_id', '=', await w.personId(email)).where('occurrence_date', '=', date).executeTakeFirst();

  it.runIf(kind === 'postgres')('two replicas naming two substitutes at once: the reminders queued for the one who lost are withdrawn', async () => {
    const db = w.db.db;
    const anna = await w.personId(ANNA);
    const { institution } = await db.selectFrom('people').select('institution').where('id', '=', anna).executeTakeFirstOrThrow();
    const person = async (email: string, name: string) =>
      (await db.insertInto('people').values({ email, name, institution, language: 'pl', channels: JSON.stringify(['email']), source: 'test' }).returning('id').executeTakeFirstOrThrow()).id;
    const x = await person('xawery.zastepca@example.org', 'Xawery Zastępca');
    const y = await person('ygrek.zastepca@example.org', 'Ygrek Zastępca');
    w.clock.set('2027-01-06T08:00:00Z');
    const base = { teamId: 'lodz', occurrenceDate: MEETING, personId: anna, answer: 'not_attending', source: 'link' } as const;
    await race(
      (trx) => answerMeeting(trx, { ...base, substituteEmail: 'xawery.zastepca@example.org' }, w.clock),
      () => answerMeeting(db, { ...base, substituteEmail: 'ygrek.zastepca@example.org' }, new FixedClock('2027-01-06T08:00:00.010Z')),
    );
    expect(await answerOf(ANNA)).toMatchObject({ answer: 'not_attending', substitute_person_id: y });
    const pendingForX = await db.selectFrom('deliveries').select('dedupe_key').where('person_id', '=', x).where('kind', '=', 'reminder').where('state', '=', 'pending').execute();
    expect(pendingForX.map((d) => d.dedupe_key)).toEqual([]);
  });

  it.runIf(kind === 'postgres')('two replicas recording the same "będę" at once (a double click): one answer, one confirmation', async () => {
    const db = w.db.db;
    const anna = await w.personId(ANNA);
    w.clock.set('2027-01-06T08:00:00Z');
    const input = { teamId: 'lodz', occurrenceDate: MEETING, personId: anna, answer: 'attending', source: 'link' } as const;
    await race(
      (trx) => answerMeeting(trx, input, w.clock),
      () => answerMeeting(db, input, new FixedClock('2027-01-06T08:00:00.010Z')),
    );
    const confirmations = await db.selectFrom('deliveries').select('dedupe_key').where('person_id', '=', anna).where('kind', '=', 'confirmation').where('dedupe_key', 'like', 'meeting-answer:%').execute();
    expect(confirmations).toHaveLength(1);
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
