import { describe, expect, it } from 'vitest';
import { loadPreferences } from '../../src/preferences/preferences.js';
import { planReminders } from '../../src/reminders/plan-reminders.js';
import { dialects } from '../support/databases.js';
import { failEachWrite } from './each-write.js';
import type { World } from './world.js';

const ANNA = 'anna.nowak@example.org';
const LONG = 180_000;

/** Anna's waiting messages: what, and when. */
const waiting = async (w: World) =>
  w.db.db
    .selectFrom('deliveries')
    .select(['dedupe_key', 'due_at', 'state'])
    .where('person_id', '=', await w.personId(ANNA))
    .orderBy('dedupe_key')
    .execute();

/** The flow's end state on a run without faults; every faulted run must end the same. */
function sameAsWithoutFaults<T>(read: (w: World) => Promise<T>) {
  let clean: { value: T } | undefined;
  return async (w: World) => {
    const value = await read(w);
    if (!clean) clean = { value };
    else expect(value).toEqual(clean.value);
  };
}

describe.each(dialects)('a person\'s own changes with each write failed in turn, then retried, on %s', (kind) => {
  it('quiet hours: stored with the waiting reminders re-timed, never one without the other', async () => {
    const end = sameAsWithoutFaults(async (w) => ({ preferences: await loadPreferences(w.db.db, await w.personId(ANNA)), waiting: await waiting(w) }));
    await failEachWrite(kind, {
      setup: async (w) => void (await planReminders(w.db.db, { clock: w.clock, horizonDays: 30 })),
      // 06–09 holds the 08:00 reminder of a 10:00 meeting until 09:00.
      act: (w) => w.say(ANNA, 'ustawienia', 'cisza 6-9'),
      async settled(w) {
        await end(w);
        const before = (await waiting(w)).filter((d) => d.dedupe_key.includes('PT2H'));
        expect(before.length).toBeGreaterThan(0);
        for (const d of before) expect(new Date(d.due_at).getUTCHours()).toBe(8); // 09:00 in Warsaw (winter)
      },
    });
  }, LONG);

  it('muting a kind: stored once, whatever failed before', async () => {
    await failEachWrite(kind, {
      act: (w) => w.say(ANNA, 'ustawienia', 'wycisz przypomnienia ogłoszenia'),
      async settled(w) {
        expect((await loadPreferences(w.db.db, await w.personId(ANNA))).mutedKinds).toEqual(['announcements', 'reminders']);
      },
    });
  }, LONG);

  it('erasure: the person and every waiting message to them go together, and nothing is sent to them after', async () => {
    await failEachWrite(kind, {
      // What was erased cannot be reset: each failed attempt must leave every table as it was.
      inSequence: true,
      setup: async (w) => void (await planReminders(w.db.db, { clock: w.clock, horizonDays: 30 })),
      act: (w) => w.press(ANNA, 'my-data:erase', 'confirm'),
      async settled(w) {
        const anna = await w.db.db.selectFrom('people').select(['id', 'email', 'removed_at']).where('email', 'like', 'erased-%').execute();
        expect(anna).toHaveLength(1);
        expect(anna[0]!.removed_at).not.toBeNull();
        const left = await w.db.db.selectFrom('deliveries').select('state').where('person_id', '=', anna[0]!.id).where('state', 'in', ['pending']).execute();
        expect(left).toEqual([]);
        expect(w.results.filter((r) => r.personId === anna[0]!.id && r.outcome === 'sent')).toEqual([]);
      },
    });
  }, LONG);
});
