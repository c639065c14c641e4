import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { FeedService, MAX_FEEDS } from '../../src/feeds/feed-service.js';
import type { CalendarRenderer } from '../../src/ports/calendar.port.js';
import { dialects, demoDatabase } from '../support/databases.js';

/**
 * Rendered feeds are kept at most MAX_FEEDS (issue 17): calendar apps poll every person's feed,
 * so an unbounded map kept them all. The least recently asked for goes first; a feed that was
 * let go is rendered again, with the same bytes and ETag.
 */
describe.each(dialects)('the rendered-feed cache on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-01-04T08:00:00Z');
  beforeAll(async () => {
    db = await demoDatabase(kind, clock);
  });
  afterAll(async () => db?.close());

  it('should keep at most MAX_FEEDS feeds, let the least recently used go first, and render it again the same', async () => {
    let renders = 0;
    const real = new IcalGeneratorRenderer('Europe/Warsaw');
    const renderer: CalendarRenderer = {
      render: (calendar) => real.render(calendar),
      renderEvents: (events) => real.renderEvents(events),
      assemble: (header, zones, texts) => (renders++, real.assemble(header, zones, texts)),
    };
    // MAX_FEEDS real teams besides lodz, copies of it (a team that does not exist keeps no entry).
    const copies = Array.from({ length: MAX_FEEDS }, (_, i) => `copy-${i}`);
    await sql`insert into teams (id, name, area, timezone, source)
      select 'copy-' || g, name, area, timezone, source from teams, generate_series(0, ${MAX_FEEDS - 1}) g where id = 'lodz'`.execute(db.db);
    await sql`insert into meeting_series (team_id, rrule, starts_local, duration, location, online_url, reminders, on_holiday, checkin_at)
      select 'copy-' || g, rrule, starts_local, duration, location, online_url, reminders, on_holiday, checkin_at
      from meeting_series, generate_series(0, ${MAX_FEEDS - 1}) g where team_id = 'lodz'`.execute(db.db);
    const feeds = new FeedService({ db: db.db, renderer, clock });
    const first = (await feeds.team('lodz'))!;
    expect(renders).toBe(1);
    expect(await feeds.team('lodz')).toBe(first);
    // Other feeds fill the cache up to one short of full.
    for (const id of copies.slice(0, -1)) expect(await feeds.team(id)).toBeDefined();
    expect(renders).toBe(MAX_FEEDS);
    expect(await feeds.team('lodz')).toBe(first); // still kept, and now the most recently used
    // One more: the oldest (copy-0) goes, not lodz, which was asked for since.
    await feeds.team(copies.at(-1)!);
    expect(await feeds.team('lodz')).toBe(first);
    expect(renders).toBe(MAX_FEEDS + 1);
    // The kept others asked for after lodz, then copy-0 again (rendered): lodz is the least recently used and goes.
    for (const id of copies.slice(1)) await feeds.team(id);
    expect(renders).toBe(MAX_FEEDS + 1);
    await feeds.team('copy-0');
    expect(renders).toBe(MAX_FEEDS + 2);
    const again = (await feeds.team('lodz'))!;
    expect(renders).toBe(MAX_FEEDS + 3);
    expect(again).not.toBe(first);
    expect(again.etag).toBe(first.etag);
    expect(again.body.equals(first.body)).toBe(true);
  });
});
