import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import { currentDataVersion, dataVersionWatch } from '../db/data-version-watch.js';
import type { Database } from '../db/tables.js';
import { messages } from '../i18n/messages.js';
import type { CalendarRenderer } from '../ports/calendar.port.js';
import { activityEvent, meetingEvents, substitutionEvent } from './calendar-events.js';
import { loadFeedData, type FeedData } from './load-feed.js';
import { hashToken, personForToken } from './feed-tokens.js';
import { TimeSlicer } from '../time-slices.js';
import { runAs } from '../precedence.js';

const MAX_EVENT_TEXTS = 20_000;
/** Token answers kept for one data version; more (a scan of random tokens) starts the map again. */
const MAX_TOKENS = 10_000;
/** A personal feed token's form (feed-tokens.ts): anything else names nobody, without a statement. */
const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

type Person = { id: number; name: string };
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
  /** The month as milliseconds [from, until), for the synchronous check of peek(). */
  from: number;
  until: number;
  feed: Promise<RenderedFeed | undefined>;
  /** The feed once built (and not missing): what peek() answers with. */
  ready?: RenderedFeed;
}

export interface FeedServiceOptions {
  db: Kysely<Database>;
  renderer: CalendarRenderer;
  clock: Clock;
  /** How far ahead holiday rules are resolved into EXDATE/RECURRENCE-ID. */
  horizonYears?: number;
  /**
   * Whether other processes write to this database (PostgreSQL: src/main.ts passes
   * `db.kind === 'postgres'`). Then a personal feed's token is looked up in the database at
   * every request: a link revoked, replaced or erased on another replica must be refused at
   * once, not when its data-version notification arrives (which a slow or stalled LISTEN
   * connection may hold back). Only when this process is the only writer (PGlite) are token
   * answers kept per data version and personal feeds served on the fast path. Defaults to
   * true: forgetting it costs one indexed query per personal feed, never a working revoked link.
   */
  sharedDatabase?: boolean;
}

/**
 * Feeds are rendered once and served as bytes until the data behind them changes. Every
 * change raises data_version, which every replica hears of at once (src/db/data-version-watch.ts),
 * and at the turn of a month the horizon moves on.
 */
export class FeedService {
  private readonly cache = new Map<string, Entry>();
  private readonly eventTexts = new Map<string, string>();
  /**
   * Who each token asked for belongs to (undefined: nobody), by the token's hash, for one data
   * version; kept only when this process is the database's only writer (options.sharedDatabase
   * false). Issuing, revoking and erasing all raise the version, and this process sees its own
   * raises at once, so a revoked token is refused by the next request.
   */
  private tokens: { version: number; people: Map<string, Person | undefined> } = { version: -1, people: new Map() };
  /** On a shared database: the person each token hash named when last read, the key its feed is kept under (personChecked). */
  private owners = new Map<string, number>();

  private readonly shared: boolean;

  constructor(private readonly options: FeedServiceOptions) {
    this.shared = options.sharedDatabase ?? true;
  }

  all(): Promise<RenderedFeed> {
    // All teams' feed (megabytes) is background work: requests for the others go first (src/precedence.ts).
    return this.cached('all', () => runAs('background', async () => {
      const t = messages.pl;
      const data = await loadFeedData(this.options.db, { kind: 'all' });
      return this.render({ name: t.calendarAll, description: t.calendarAllDescription, ...data });
    })) as Promise<RenderedFeed>;
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
    if (!TOKEN.test(token)) return undefined;
    if (this.shared) return this.personChecked(hashToken(token), token);
    const person = await this.personFor(token);
    if (!person) return undefined;
    return this.cached(`person:${person.id}`, () => this.personFeed(person));
  }

  /**
   * A personal feed on a shared database: the token is checked in the database at every poll.
   * A feed rendered for this data version and month is served after that one check; any other
   * poll (calendar clients poll each feed in turn, so most of them) reads the token's owner and
   * the feed in one statement (load-feed.ts, scope `token`), where the check and the read used
   * to be two. `owners` only says under which key a token's feed may be kept; what a token
   * names is always the database's answer of this poll.
   */
  private async personChecked(hash: string, token: string): Promise<RenderedFeed | undefined> {
    const known = this.owners.get(hash);
    const version = await currentDataVersion(this.options.db);
    if (known !== undefined && this.kept(`person:${known}`, version)) {
      const person = await personForToken(this.options.db, token);
      if (!person) return (this.owners.delete(hash), undefined);
      return this.cached(`person:${person.id}`, () => this.personFeed(person));
    }
    const { owner, ...data } = await loadFeedData(this.options.db, { kind: 'token', tokenHash: hash });
    if (!owner) return (this.owners.delete(hash), undefined);
    if (this.owners.size >= MAX_TOKENS) this.owners.clear();
    this.owners.set(hash, owner.id);
    return this.keep(`person:${owner.id}`, version, this.render({ name: messages.pl.calendarPerson(owner.name), ...data }));
  }

  private async personFeed(person: Person): Promise<RenderedFeed> {
    const data = await loadFeedData(this.options.db, { kind: 'person', personId: person.id });
    return this.render({ name: messages.pl.calendarPerson(person.name), ...data });
  }

  /**
   * The feed as it stands when that is known at once, without a promise or the database: built
   * already, for the data version known in memory (src/db/data-version-watch.ts) and this
   * month. Undefined when it is not (never built, data changed, version unknown, no such feed):
   * the caller then takes the promise way (all(), team(), person()), which builds or checks it.
   * Keys: `all`, `team:<id>`, and for a person's token personKey().
   */
  peek(key: string): RenderedFeed | undefined {
    const hit = this.cache.get(key);
    if (hit?.ready === undefined || hit.version !== dataVersionWatch(this.options.db).settled()) return undefined;
    const now = this.options.clock.now().getTime();
    return now >= hit.from && now < hit.until ? hit.ready : undefined;
  }

  /** peek()'s key for a personal feed's token, when the token's owner is known at once; undefined otherwise. */
  personKey(token: string): string | undefined {
    if (this.shared || this.tokens.version !== dataVersionWatch(this.options.db).settled()) return undefined;
    const person = this.tokens.people.get(hashToken(token));
    return person ? `person:${person.id}` : undefined;
  }

  /** Forget the rendered feeds now (after a change made in this process). */
  invalidate(): void {
    this.cache.clear();
    this.tokens = { version: -1, people: new Map() };
    this.owners.clear();
  }

  private async personFor(token: string): Promise<Person | undefined> {
    // Another process may have revoked it a moment ago: ask the database (one indexed query).
    if (this.shared) return personForToken(this.options.db, token);
    // The version first: an answer read after it is at least as new, so it is never kept for a later version.
    const version = await currentDataVersion(this.options.db);
    if (this.tokens.version !== version) this.tokens = { version, people: new Map() };
    const tokens = this.tokens;
    const hash = hashToken(token);
    if (tokens.people.has(hash)) return tokens.people.get(hash);
    const person = await personForToken(this.options.db, token);
    // Checked when storing: many lookups started at once all saw the map before any returned.
    // Not kept when the map was replaced meanwhile (a change here, a newer version, a full map).
    if (this.tokens === tokens) {
      if (tokens.people.size >= MAX_TOKENS) this.tokens = { version, people: new Map() };
      this.tokens.people.set(hash, person);
    }
    return person;
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
    // to one team re-renders that team only; all.ics stops every few milliseconds of work to
    // let requests through (time-slices.ts).
    const slicer = new TimeSlicer();
    for (const team of input.teams) {
      await slicer.tick();
      const key = `team ${horizon.toISOString()} ${JSON.stringify([team.team, team.series, team.meetings.exceptions])}`;
      texts.push(this.eventText(key, () => renderer.renderEvents(meetingEvents(team, horizon))));
      zones.add(team.team.timezone);
    }
    for (const s of input.substitutions ?? []) {
      await slicer.tick();
      texts.push(this.eventText(`substitute ${s.date} ${s.answeredAt.toISOString()} ${JSON.stringify([s.team.team, s.team.series, s.team.meetings.exceptions])}`, () => renderer.renderEvents(substitutionEvent(s.team, s.date, s.answeredAt))));
      zones.add(s.team.team.timezone);
    }
    for (const activity of input.activities) {
      await slicer.tick();
      texts.push(this.eventText(`activity ${JSON.stringify(activity)}`, () => renderer.renderEvents([activityEvent(activity)])));
      zones.add(activity.timezone);
    }
    await slicer.tick();
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
    return this.kept(key, version)?.feed ?? this.keep(key, version, build());
  }

  /** The entry under `key` when it was built for `version` and this month (now the most recently used); else undefined. */
  private kept(key: string, version: number): Entry | undefined {
    const month = DateTime.fromJSDate(this.options.clock.now(), { zone: 'UTC' }).toFormat('yyyy-MM');
    const hit = this.cache.get(key);
    if (!hit || hit.version !== version || hit.month !== month) return undefined;
    this.cache.delete(key);
    this.cache.set(key, hit);
    return hit;
  }

  /**
   * Keeps `feed` under `key` for `version` (read before the data was: never kept for a later
   * version than it was read at) and this month, evicting the least recently used beyond MAX_FEEDS.
   */
  private keep(key: string, version: number, feed: Promise<RenderedFeed | undefined>): Promise<RenderedFeed | undefined> {
    const start = DateTime.fromJSDate(this.options.clock.now(), { zone: 'UTC' }).startOf('month');
    const entry: Entry = { version, month: start.toFormat('yyyy-MM'), from: start.toMillis(), until: start.plus({ months: 1 }).toMillis(), feed };
    this.cache.delete(key);
    if (this.cache.size >= MAX_FEEDS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, entry);
    // A feed that does not exist (any team id may be asked for, without signing in) keeps no
    // entry: a data-version change never drops keys, so such entries would only pile up and
    // push real feeds out. Asking again costs one query, like the first time.
    const forget = () => void (this.cache.get(key) === entry && this.cache.delete(key));
    feed.then((built) => (built ? void (entry.ready = built) : forget()), forget);
    return feed;
  }
}
