import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { openWorld, type World } from '../outbox/world.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { processScheduleChanges } from '../../src/reminders/change-notices.js';

/** A substitute is told what concerns them: asked to come, the meeting cancelled or moved, no longer needed. */
const ANNA = 'anna.nowak@example.org';
/** Tuesday 12 January 2027, 10:00 Warsaw, team "lodz" of the demo schedule. */
const MEETING = '2027-01-12';

describe.each(dialects)('notices to a substitute, on %s', (kind) => {
  let w: World;
  beforeEach(async () => {
    w = await openWorld(kind);
    await planReminders(w.db.db, { clock: w.clock });
  }, 60_000);
  afterEach(() => w.close());

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

  it('a substitute is told when the person who named them says "będę" after all (they are no longer expected)', async () => {
    await nameZofia();
    const before = w.sent.length;
    expect((await w.say(ANNA, 'będę', '12.01')).text).toContain('Zapisano: będzie Pani/Pan');
    await w.drain();
    // Her reminders are withdrawn silently (dropSubstituteReminders) and her feed entry vanishes; she was
    // asked to come and is never told she need not.
    expect(w.sent.slice(before).filter((s) => s.address === ZOFIA).map((s) => s.title)).toEqual(['Zastępstwo nieaktualne: spotkanie zespołu PZK Łódź – demo']);
  });

  it('a substitute is told when the meeting they were asked to stand in at is cancelled', async () => {
    await nameZofia();
    const before = w.sent.length;
    const cancelled = await w.say(ANNA, 'spotkania', `odwołaj ${MEETING}`);
    expect(cancelled.text).not.toContain('Coś poszło nie tak');
    await processScheduleChanges(w.db.db, w.clock);
    await w.drain();
    const toMembers = w.sent.slice(before).filter((s) => s.address === 'marta.grabowska@example.org');
    expect(toMembers.length).toBeGreaterThan(0); // the members are told...
    // ...and so is Zofia, who was asked to come in Anna's place.
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
    // ...and she is told the day changed, as every member is.
    expect(notices).not.toEqual([]);
  });
});
