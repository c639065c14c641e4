/**
 * 2. Render time of one team feed (two years of meetings, 50 activities): p50/p95 over 50
 *    renders with the cache emptied each time; goal p50 ≤ 15 ms. And all.ics for 500 teams.
 *    Each is broken down into data loading, event building and ical-generator, and the line
 *    folding inside ical-generator is timed on its own (an identical copy of its algorithm).
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DateTime } from 'luxon';
import { IcalGeneratorRenderer } from '../adapters/ical/ical-renderer.js';
import { readDataVersion } from '../src/db/data-version.js';
import type { Db } from '../src/db/db.port.js';
import { activityEvent, meetingEvents } from '../src/feeds/calendar-events.js';
import { loadActivities, loadTeams } from '../src/feeds/feed-data.js';
import { FeedService } from '../src/feeds/feed-service.js';
import type { CalendarDocument } from '../src/ports/calendar.port.js';
import { freshPglite } from './databases.js';
import { DEFAULT_ZONE, FOCUS_TEAM, NOW, TEAMS, benchClock, importBigSchedule } from './fixtures.js';
import { ms, percentile, s, timed, yesNo, type Report } from './support.js';

const TEAM_RENDERS = 50;
const ALL_RENDERS = 5;
const WARMUP = 5;

export async function renderBenchmark(report: Report): Promise<void> {
  const db = await freshPglite();
  try {
    const setup = await timed(() => importBigSchedule(db.db));
    report.note(`render: PGlite in memory with the 500-team file (imported in ${s(setup.ms)}); clock fixed at ${NOW}, so feeds reach 2029-01-01.`);
    await teamFeed(report, db);
    await allFeed(report, db);
  } finally {
    await db.close();
  }
}

async function teamFeed(report: Report, db: Db): Promise<void> {
  const feeds = new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(DEFAULT_ZONE), clock: benchClock() });
  const times: number[] = [];
  let body: Buffer | undefined;
  for (let i = 0; i < WARMUP + TEAM_RENDERS; i++) {
    feeds.invalidate(); // forget the rendered bytes and the data version: a full cache miss
    const start = performance.now();
    const feed = await feeds.team(FOCUS_TEAM);
    const elapsed = performance.now() - start;
    if (!feed) throw new Error(`${FOCUS_TEAM} has no feed`);
    body = feed.body;
    if (i >= WARMUP) times.push(elapsed);
  }
  const text = body!.toString('utf8');
  const events = count(text, 'BEGIN:VEVENT');
  const p50 = percentile(times, 50);
  report.row(
    `render: team feed ${FOCUS_TEAM} (FeedService.team, cache emptied), p50`,
    `${ms(p50)} (p95 ${ms(percentile(times, 95))}, min ${ms(Math.min(...times))}; ${TEAM_RENDERS} renders, ${events} VEVENTs, ${(body!.length / 1024).toFixed(1)} KB)`,
    'p50 ≤ 15 ms',
    yesNo(p50 <= 15),
  );
  if (count(text, 'RRULE:FREQ=MONTHLY') !== 1 || events < 51) {
    report.note(`render: the team feed is not what the benchmark expects (${events} VEVENTs; 1 series + overrides + 50 activities).`);
  }

  const parts = await breakdown(db, [FOCUS_TEAM], TEAM_RENDERS);
  report.row(
    '  team feed, breakdown (p50 each)',
    `data ${ms(parts.data)} · events ${ms(parts.events)} · ical-generator ${ms(parts.render)} (line folding alone ${ms(parts.fold)}) · ETag ${ms(parts.etag)}`,
  );
  report.row(
    '  team feed, ical-generator with an O(n) fold instead (estimate: its time − its fold + an O(n) fold, per render)',
    `${ms(parts.withFastFold)} (the O(n) fold ${ms(parts.fastFold)}; same bytes: ${parts.sameBytes ? 'yes' : 'NO'})`,
  );
}

async function allFeed(report: Report, db: Db): Promise<void> {
  const feeds = new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(DEFAULT_ZONE), clock: benchClock() });
  const times: number[] = [];
  let body: Buffer | undefined;
  for (let i = 0; i < ALL_RENDERS; i++) {
    feeds.invalidate();
    const run = await timed(() => feeds.all());
    body = run.value.body;
    times.push(run.ms);
  }
  const events = count(body!.toString('utf8'), 'BEGIN:VEVENT');
  report.row(
    `render: all.ics, ${TEAMS} teams (FeedService.all, cache emptied), p50`,
    `${s(percentile(times, 50))} (min ${s(Math.min(...times))}, max ${s(Math.max(...times))}; ${ALL_RENDERS} renders, ${events} VEVENTs, ${(body!.length / 1024).toFixed(0)} KB)`,
  );
  const parts = await breakdown(db, undefined, 1);
  report.row(
    '  all.ics, breakdown (one render)',
    `data ${ms(parts.data)} · events ${s(parts.events)} · ical-generator ${s(parts.render)} (line folding alone ${s(parts.fold)}; an O(n) fold: ${ms(parts.fastFold)})`,
  );
  report.note(
    `render: all of all.ics's event building and ical-generator work (${s(parts.events + parts.render)}) is synchronous: while it runs the single-process service answers nothing, /healthz included.`,
  );
}

interface Parts {
  data: number;
  events: number;
  render: number;
  fold: number;
  fastFold: number;
  withFastFold: number;
  etag: number;
  sameBytes: boolean;
}

/** The steps of FeedService's render, timed one by one (same calls, same order). */
async function breakdown(db: Db, teamIds: string[] | undefined, runs: number): Promise<Parts> {
  const renderer = new IcalGeneratorRenderer(DEFAULT_ZONE);
  const horizon = DateTime.fromISO(NOW).plus({ years: 2 }).toJSDate();
  const samples: Record<keyof Omit<Parts, 'sameBytes'>, number[]> = { data: [], events: [], render: [], fold: [], fastFold: [], withFastFold: [], etag: [] };
  let sameBytes = true;
  for (let i = 0; i < runs; i++) {
    const data = await timed(async () => {
      await readDataVersion(db.db);
      const teams = await loadTeams(db.db, teamIds);
      const activities = await loadActivities(db.db, teamIds ? { kind: 'team', teamId: teamIds[0]! } : { kind: 'public' });
      return { teams, activities };
    });
    const events = await timed(() => [...data.value.teams.flatMap((t) => meetingEvents(t, horizon)), ...data.value.activities.map((a) => activityEvent(a))]);
    const document: CalendarDocument = { name: 'Benchmark', refreshInterval: 'PT1H', events: events.value };
    const render = await timed(() => renderer.render(document));
    const unfolded = render.value.replace(/\r\n /g, '');
    const fold = await timed(() => icalGeneratorFold(unfolded));
    const fastFold = await timed(() => fastFoldLines(unfolded));
    sameBytes &&= fold.value === render.value && fastFold.value === render.value;
    const etag = await timed(() => createHash('sha1').update(Buffer.from(render.value, 'utf8')).digest('base64url'));
    samples.data.push(data.ms);
    samples.events.push(events.ms);
    samples.render.push(render.ms);
    samples.fold.push(fold.ms);
    samples.fastFold.push(fastFold.ms);
    samples.withFastFold.push(Math.max(0, render.ms - fold.ms) + fastFold.ms);
    samples.etag.push(etag.ms);
  }
  const p50 = (key: keyof typeof samples) => percentile(samples[key], 50);
  return { data: p50('data'), events: p50('events'), render: p50('render'), fold: p50('fold'), fastFold: p50('fastFold'), withFastFold: p50('withFastFold'), etag: p50('etag'), sameBytes };
}

/** ical-generator 10.2's foldLines, verbatim in behaviour: a TextEncoder for every character. */
function icalGeneratorFold(input: string): string {
  return input
    .split('\r\n')
    .map((line) => {
      let out = '';
      let bytes = 0;
      for (let i = 0; i < line.length; i++) {
        let ch = line.charAt(i);
        if (ch >= '\ud800' && ch <= '\udbff') ch += line.charAt(++i);
        const size = new TextEncoder().encode(ch).length;
        bytes += size;
        if (bytes > 74) {
          out += '\r\n ';
          bytes = size;
        }
        out += ch;
      }
      return out;
    })
    .join('\r\n');
}

/** The same folding (same break points) without allocations: what the adapter could do after toString(). */
export function fastFoldLines(input: string): string {
  return input
    .split('\r\n')
    .map((line) => {
      if (line.length <= 74 && !/[^\x00-\x7f]/.test(line)) return line;
      let out = '';
      let bytes = 0;
      let from = 0;
      for (let i = 0; i < line.length; i++) {
        const code = line.charCodeAt(i);
        let size: number;
        let width = 1;
        if (code < 0x80) size = 1;
        else if (code < 0x800) size = 2;
        else if (code >= 0xd800 && code <= 0xdbff) {
          size = 4;
          width = 2;
        } else size = 3;
        bytes += size;
        if (bytes > 74) {
          out += `${line.slice(from, i)}\r\n `;
          from = i;
          bytes = size;
        }
        i += width - 1;
      }
      return out + line.slice(from);
    })
    .join('\r\n');
}

function count(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}
