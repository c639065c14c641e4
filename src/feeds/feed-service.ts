import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import { currentDataVersion } from '../db/data-version-watch.js';
import type { Database } from '../db/tables.js';
import { messages } from '../i18n/messages.js';
import type { CalendarRenderer } from '../ports/calendar.port.js';
import { activityEvent, meetingEvents, substitutionEvent } from './calendar-events.js';
import { loadFeedData, type FeedData } from './load-feed.js';
import { personForToken } from './feed-tokens.js';

const YIELD_EVERY = 25;
const MAX_EVENT_TEXTS = 20_000;
/**
 * Rendered feeds kept at most (issue 17). Calendar apps poll every feed about hourly, so without
 * a bound a quiet week kept every person's feed (some 30 KB each: 150 MB for 5,000 people); the
 * least recently asked for goes first, and is rendered again (a few ms) if asked for.
 */
export const MAX_FEEDS = 500;

export interface RenderedFeed {
  body: Buffer;
  etag: string;
}

interface Entry {
  version: number;
  month: string;
  feed: Promise<RenderedFeed | undefined>;
}

export interface FeedServiceOptions {
  db: Kysely<Database>;
  renderer: CalendarRenderer;
  clock: Clock;
  /** How far ahead holiday rules are resolved into EXDATE/RECURRENCE-ID. */
  horizonYears?: number;
}

/**
 * Feeds are rendered once and served as bytes until the data behind them changes. Every
 * change raises data_version, which every replica hears of at once (src/db/data-version-watch.ts),
 * and at the turn of a month the horizon moves on.
 */
export class FeedService {
  private readonly cache = new Map<string, Entry>();
  private readonly eventTexts = new Map<string, string>();

  constructor(private readonly options: FeedServiceOptions) {}

  all(): Promise<RenderedFeed> {
    return this.cached('all', async () => {
      const t = messages.pl;
      const data = await loadFeedData(this.options.db, { kind: 'all' });
      return this.render({ name: t.calendarAll, description: t.calendarAllDescription, ...data });
    }) as Promise<RenderedFeed>;
  }

  team(teamId: string): Promise<RenderedFeed | undefined> {
    return this.cached(`team:${teamId}`, async () => {
      const data = await loadFeedData(this.options.db, { kind: 'team', teamId });
      if (data.teams.length === 0) return undefined;
      return this.render({ name: messages.pl.calendarTeam(data.teams[0]!.team.name), ...data });
    });
  }

  /** Unknown, revoked and removed tokens all look the same: undefined, so callers answer 404. */
  async person(token: string): Promise<RenderedFeed | undefined> {
    const person = await personForToken(this.options.db, token);
    if (!person) return undefined;
    return this.cached(`person:${person.id}`, async () => {
      const data = await loadFeedData(this.options.db, { kind: 'person', personId: person.id });
      return this.render({ name: messages.pl.calendarPerson(person.name), ...data });
    });
  }

  /** Forget the rendered feeds now (after a change made in this process). */
  invalidate(): void {
    this.cache.clear();
  }

  /** Forget the kept event texts too, so the next render starts from nothing (benchmarks). */
  forgetEventTexts(): void {
    this.eventTexts.clear();
  }

  private async render(input: { name: string; description?: string } & FeedData): Promise<RenderedFeed> {
    // From the start of the month, like the cache key: the same data gives the same bytes all month, on every replica.
    const horizon = DateTime.fromJSDate(this.options.clock.now(), { zone: 'UTC' }).startOf('month').plus({ years: this.options.horizonYears ?? 2 }).toJSDate();
    const { renderer } = this.options;
    const texts: string[] = [];
    const zones = new Set<string>();
    // Each team's and activity's VEVENT text is kept under the data it came from, so a change
    // to one team re-renders that team only; all.ics stops now and then to let requests through.
    for (const [i, team] of input.teams.entries()) {
      const key = `team ${horizon.toISOString()} ${JSON.stringify([team.team, team.series, team.meetings.exceptions])}`;
      texts.push(this.eventText(key, () => renderer.renderEvents(meetingEvents(team, horizon))));
      zones.add(team.team.timezone);
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await setImmediate();
    }
    for (const s of input.substitutions ?? []) {
      texts.push(this.eventText(`substitute ${s.date} ${s.answeredAt.toISOString()} ${JSON.stringify([s.team.team, s.team.series, s.team.meetings.exceptions])}`, () => renderer.renderEvents(substitutionEvent(s.team, s.date, s.answeredAt))));
      zones.add(s.team.team.timezone);
    }
    for (const [i, activity] of input.activities.entries()) {
      texts.push(this.eventText(`activity ${JSON.stringify(activity)}`, () => renderer.renderEvents([activityEvent(activity)])));
      zones.add(activity.timezone);
      if (i % YIELD_EVERY === YIELD_EVERY - 1) await setImmediate();
    }
    const header = { name: input.name, ...(input.description ? { description: input.description } : {}), refreshInterval: 'PT1H' };
    const body = Buffer.from(renderer.assemble(header, [...zones], texts), 'utf8');
    return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
  }

  private eventText(key: string, render: () => string): string {
    let text = this.eventTexts.get(key);
    if (text === undefined) {
      // Keys carry the data itself, so old ones are never wrong, only unused: drop them all now and then.
      if (this.eventTexts.size >= MAX_EVENT_TEXTS) this.eventTexts.clear();
      text = render();
      this.eventTexts.set(key, text);
    }
    return text;
  }

  private async cached(key: string, build: () => Promise<RenderedFeed | undefined>): Promise<RenderedFeed | undefined> {
    const version = await currentDataVersion(this.options.db);
    const month = this.options.clock.now().toISOString().slice(0, 7);
    const hit = this.cache.get(key);
    this.cache.delete(key);
    if (hit && hit.version === version && hit.month === month) {
      this.cache.set(key, hit); // now the most recently used
      return hit.feed;
    }
    const feed = build();
    if (this.cache.size >= MAX_FEEDS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { version, month, feed });
    feed.catch(() => this.cache.delete(key));
    return feed;
  }

}
