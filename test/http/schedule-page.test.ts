import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { SchedulePages } from '../../src/http/schedule-page.js';
import { dialects, demoDatabase } from '../support/databases.js';

const clock = new FixedClock('2027-01-04T08:00:00Z');

describe.each(dialects)('the schedule page on %s', (kind) => {
  let db: Db;
  let pages: SchedulePages;
  const get = async (url: string) => (await pages.page(url)).toString('utf8');
  beforeEach(async () => {
    clock.set('2027-01-04T08:00:00Z');
    db = await demoDatabase(kind, clock);
    pages = new SchedulePages({ db: db.db, clock, publicUrl: 'https://koop.example.org', timezone: 'Europe/Warsaw' });
  });
  afterEach(async () => db?.close());

  it('should list eight weeks from today, the cancelled meeting struck through and the moved one at its new time', async () => {
    clock.set('2027-03-01T08:00:00Z');
    const page = await get('/?team=lodz&kind=meeting');
    expect(page).toMatch(/<li data-kind="meeting" data-team="lodz" class="cancelled"><s><span class="when"><time datetime="[^"]+">wtorek, 9 marca 2027, 10:00–12:00<\/time><\/span>\s*Spotkanie zespołu: PZK Łódź – demo<\/s> <strong>odwołane<\/strong>/);
    expect(await get('/?team=lodz&kind=meeting&lang=en')).toMatch(/<s>.*Tuesday, 9 March 2027.*<\/s> <strong>cancelled<\/strong>/s);
    expect(page).toContain('środa, 14 kwietnia 2027, 12:00–14:00');
    expect(page).not.toContain('wtorek, 13 kwietnia 2027');
    expect(page).not.toContain('2027-05-');
  });

  it('should see a change of the data version and a new day', async () => {
    expect(await get('/')).toContain('PZK Łódź – demo');
    // Any write of a team raises the data version (triggers, migration 0018): the page shows it at once.
    await db.db.updateTable('teams').set({ name: 'PZK <Łódź> & "okolice"' }).where('id', '=', 'lodz').execute();
    const renamed = await get('/');
    expect(renamed).toContain('PZK &lt;Łódź&gt; &amp; &quot;okolice&quot;');
    expect(renamed).not.toContain('<Łódź>');
    expect(renamed).toContain('wtorek, 12 stycznia 2027, 10:00');
    clock.set('2027-01-13T08:00:00Z');
    expect(await get('/')).not.toContain('wtorek, 12 stycznia 2027, 10:00');
  });

  it('should show when each event ends and drop those that ended, during the day too (issue 14)', async () => {
    clock.set('2027-01-12T10:30:00Z');
    const during = await get('/?team=lodz&kind=meeting');
    expect(during).toContain('wtorek, 12 stycznia 2027, 10:00–12:00');
    clock.set('2027-01-12T11:30:00Z');
    const after = await get('/?team=lodz&kind=meeting');
    expect(after).not.toContain('12 stycznia 2027');
    expect(after).toContain('wtorek, 26 stycznia 2027, 10:00–12:00');
    // A public activity over two days shows both ends.
    clock.set('2027-03-01T08:00:00Z');
    expect(await get('/?kind=workshop')).toContain('środa, 10 marca 2027, 09:00 – czwartek, 11 marca 2027, 16:00');
  });

  it('should ignore unknown filters and keep the language of the page', async () => {
    const page = await get('/?team=%3Cscript%3E&kind=party&page=-3&lang=en');
    expect(page).toContain('<html lang="en">');
    expect(page).not.toContain('<script>');
    expect(page).toBe(await get('/?lang=en'));
  });
});
