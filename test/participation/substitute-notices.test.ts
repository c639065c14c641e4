import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { openWorld, type World } from '../outbox/world.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';

/** A substitute is told what concerns them: asked to come, and no longer needed. */
const ANNA = 'anna.nowak@example.org';

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
});
