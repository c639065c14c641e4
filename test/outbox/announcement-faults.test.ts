import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases.js';
import { failEachWrite, sentCounts } from './each-write.js';
import { openWorld, type World } from './world.js';

const ANNA = 'anna.nowak@example.org'; // coordinates Łódź
const LONG = 180_000;

const drafts = (w: World) => w.db.db.selectFrom('announcements').select(['id', 'text', 'state']).orderBy('id').execute();
const lodzMembers = async (w: World) =>
  (await w.db.db.selectFrom('memberships').select('person_id').where('team_id', '=', 'lodz').where('removed_at', 'is', null).execute()).map((m) => m.person_id);

describe.each(dialects)('announcements with failing writes, on %s', (kind) => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('should keep the waiting draft when storing the draft that replaces it failed', async () => {
    const w = (world = await openWorld(kind));
    await w.say(ANNA, 'ogłoszenie', 'Spotkanie przeniesione do sali 3.');
    w.faults.failFirst(/insert into "announcements"/);
    await w.say(ANNA, 'ogłoszenie', 'Spotkanie przeniesione do sali 4.');
    expect((await drafts(w)).map((d) => [d.text, d.state])).toEqual([['Spotkanie przeniesione do sali 3.', 'draft']]);
  });

  it('should leave one waiting draft when the author sends two at once', async () => {
    const w = (world = await openWorld(kind));
    await Promise.all([w.say(ANNA, 'ogłoszenie', 'Wersja A.'), w.say(ANNA, 'ogłoszenie', 'Wersja B.')]);
    expect((await drafts(w)).filter((d) => d.state === 'draft')).toHaveLength(1);
  });

  it('a new draft: one waiting draft, the text last sent', async () => {
    await failEachWrite(kind, {
      setup: async (w) => void (await w.say(ANNA, 'ogłoszenie', 'Pierwsza wersja.')),
      act: (w) => w.say(ANNA, 'ogłoszenie', 'Druga wersja.'),
      async settled(w) {
        expect((await drafts(w)).filter((d) => d.state === 'draft').map((d) => d.text)).toEqual(['Druga wersja.']);
        expect(w.results).toEqual([]);
      },
    });
  }, LONG);

  it('a confirmation: sent once to each member of the team, and the author\'s delivery report queued once', async () => {
    await failEachWrite(kind, {
      setup: async (w) => void (await w.say(ANNA, 'ogłoszenie', 'Spotkanie przeniesione do sali 3.')),
      act: (w) => w.say(ANNA, 'ogłoszenie', 'potwierdź'),
      async settled(w) {
        const [sent] = await drafts(w);
        expect(sent!.state).toBe('sent');
        const expected = Object.fromEntries((await lodzMembers(w)).map((id) => [`announcement:${sent!.id}:${id}`, 1]));
        expect(sentCounts(w, `announcement:${sent!.id}:`)).toEqual(expected);
        const reports = await w.db.db.selectFrom('deliveries').select('state').where('dedupe_key', '=', `announcement-report:${sent!.id}`).execute();
        expect(reports).toEqual([{ state: 'pending' }]);
      },
    });
  }, LONG);
});
