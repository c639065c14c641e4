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
    const feeds = new FeedService({ db: db.db, renderer, clock });
    const first = (await feeds.team('lodz'))!;
    expect(renders).toBe(1);
    expect(await feeds.team('lodz')).toBe(first);
    // Unknown teams are kept too (as "no feed"): they fill the cache up to one short of full.
    for (let i = 0; i < MAX_FEEDS - 1; i++) expect(await feeds.team(`unknown-${i}`)).toBeUndefined();
    expect(await feeds.team('lodz')).toBe(first); // still kept, and now the most recently used
    expect(renders).toBe(1);
    // One more: the oldest (unknown-0) goes, not lodz, which was asked for since.
    await feeds.team('unknown-extra');
    expect(await feeds.team('lodz')).toBe(first);
    expect(renders).toBe(1);
    // MAX_FEEDS others asked for after lodz: lodz goes, and is rendered again, the same.
    for (let i = 0; i < MAX_FEEDS; i++) await feeds.team(`other-${i}`);
    const again = (await feeds.team('lodz'))!;
    expect(renders).toBe(2);
    expect(again).not.toBe(first);
    expect(again.etag).toBe(first.etag);
    expect(again.body.equals(first.body)).toBe(true);
  });
});
