/**
 * 2. Render time of one team feed (two years of meetings, 50 activities): p50/p95 over 50
 *    renders with every cache emptied each time (rendered feeds and kept event texts); goal
 *    p50 ≤ 15 ms. Also the same after a data change elsewhere (event texts kept), and all.ics
 *    for 500 teams, with the longest time the event loop was held up while it rendered.
 *    Each is broken down into data loading, event building, the renderer and the ETag; the
 *    line folding of ical-generator's own toString() is timed on its own (a copy of it) to
 *    show what the adapter's one-pass fold saves.
 */
import { createHash } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { foldLines } from '../adapters/ical/fold-lines.js';
import { DateTime } from 'luxon';
import { IcalGeneratorRenderer } from '../adapters/ical/ical-renderer.js';
import { readDataVersion } from '../src/db/data-version.js';
import type { Db } from '../src/db/db.port.js';
import { activityEvent, meetingEvents } from '../src/feeds/calendar-events.js';
import { loadFeedData } from '../src/feeds/load-feed.js';
import { FeedService } from '../src/feeds/feed-service.js';
import type { CalendarDocument } from '../src/ports/calendar.port.js';
import { referenceRender } from '../test/adapters/ical/reference-renderer.js';
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
    feeds.forgetEventTexts();
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

  const warm: number[] = [];
  for (let i = 0; i < WARMUP + TEAM_RENDERS; i++) {
    feeds.invalidate(); // as after a change to another team: event texts of this one are kept
    const start = performance.now();
    await feeds.team(FOCUS_TEAM);
    if (i >= WARMUP) warm.push(performance.now() - start);
  }
  report.row(
    `render: team feed ${FOCUS_TEAM} after a change elsewhere (event texts kept), p50`,
    `${ms(percentile(warm, 50))} (p95 ${ms(percentile(warm, 95))}; ${TEAM_RENDERS} renders)`,
  );

  const parts = await breakdown(db, [FOCUS_TEAM], TEAM_RENDERS);
  report.row(
    '  team feed, breakdown (p50 each, all from nothing)',
    `data ${ms(parts.data)} · events ${ms(parts.events)} · renderer ${ms(parts.render)} · ETag ${ms(parts.etag)}; same bytes as ical-generator's toString(): ${parts.sameBytes ? 'yes' : 'NO'}`,
  );
  report.row(
    '  team feed, ical-generator’s own toString() (per-character TextEncoder fold) for comparison',
    `${ms(parts.reference)} (its line folding alone ${ms(parts.fold)}; the adapter's one-pass fold of the same text ${ms(parts.fastFold)})`,
  );
}

async function allFeed(report: Report, db: Db): Promise<void> {
  const feeds = new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(DEFAULT_ZONE), clock: benchClock() });
  const times: number[] = [];
  let body: Buffer | undefined;
  const blocked: number[] = [];
  for (let i = 0; i < ALL_RENDERS; i++) {
    feeds.invalidate();
    feeds.forgetEventTexts();
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const run = await timed(() => feeds.all());
    delay.disable();
    blocked.push(delay.max / 1e6);
    body = run.value.body;
    times.push(run.ms);
  }
  const events = count(body!.toString('utf8'), 'BEGIN:VEVENT');
  report.row(
    `render: all.ics, ${TEAMS} teams (FeedService.all, cache emptied), p50`,
    `${s(percentile(times, 50))} (min ${s(Math.min(...times))}, max ${s(Math.max(...times))}; ${ALL_RENDERS} renders, ${events} VEVENTs, ${(body!.length / 1024).toFixed(0)} KB)`,
  );
  report.row(
    `  all.ics, longest the event loop was held up during one render (p50 of ${ALL_RENDERS})`,
    `${ms(percentile(blocked, 50))} (max ${ms(Math.max(...blocked))}): other requests are answered meanwhile`,
  );
  const warm: number[] = [];
  for (let i = 0; i < ALL_RENDERS; i++) {
    feeds.invalidate();
    warm.push((await timed(() => feeds.all())).ms);
  }
  report.row(`render: all.ics after a change (event texts kept), p50`, `${ms(percentile(warm, 50))} (${ALL_RENDERS} renders)`);
  const parts = await breakdown(db, undefined, 1);
  report.row(
    '  all.ics, breakdown (one render from nothing)',
    `data ${ms(parts.data)} · events ${ms(parts.events)} · renderer ${ms(parts.render)} · ETag ${ms(parts.etag)}; ical-generator's own toString() ${s(parts.reference)} (its folding ${s(parts.fold)}); same bytes: ${parts.sameBytes ? 'yes' : 'NO'}`,
  );
}

interface Parts {
  data: number;
  events: number;
  render: number;
  reference: number;
  fold: number;
  fastFold: number;
  etag: number;
  sameBytes: boolean;
}

/** The steps of FeedService's render from nothing, timed one by one, and ical-generator's own toString() beside it. */
async function breakdown(db: Db, teamIds: string[] | undefined, runs: number): Promise<Parts> {
  const renderer = new IcalGeneratorRenderer(DEFAULT_ZONE);
  const horizon = DateTime.fromISO(NOW).plus({ years: 2 }).toJSDate();
  const samples: Record<keyof Omit<Parts, 'sameBytes'>, number[]> = { data: [], events: [], render: [], reference: [], fold: [], fastFold: [], etag: [] };
  let sameBytes = true;
  for (let i = 0; i < runs; i++) {
    const data = await timed(async () => {
      await readDataVersion(db.db);
      return loadFeedData(db.db, teamIds ? { kind: 'team', teamId: teamIds[0]! } : { kind: 'all' });
    });
    const events = await timed(() => [...data.value.teams.flatMap((t) => meetingEvents(t, horizon)), ...data.value.activities.map((a) => activityEvent(a))]);
    const document: CalendarDocument = { name: 'Benchmark', refreshInterval: 'PT1H', events: events.value };
    const render = await timed(() => renderer.render(document));
    const reference = await timed(() => referenceRender(document, DEFAULT_ZONE));
    const unfolded = reference.value.replace(/\r\n /g, '');
    const fold = await timed(() => icalGeneratorFold(unfolded));
    const fastFold = await timed(() => foldLines(unfolded));
    sameBytes &&= render.value === reference.value && fold.value === reference.value && fastFold.value === reference.value;
    const etag = await timed(() => createHash('sha1').update(Buffer.from(render.value, 'utf8')).digest('base64url'));
    samples.data.push(data.ms);
    samples.events.push(events.ms);
    samples.render.push(render.ms);
    samples.reference.push(reference.ms);
    samples.fold.push(fold.ms);
    samples.fastFold.push(fastFold.ms);
    samples.etag.push(etag.ms);
  }
  const p50 = (key: keyof typeof samples) => percentile(samples[key], 50);
  return {
    data: p50('data'),
    events: p50('events'),
    render: p50('render'),
    reference: p50('reference'),
    fold: p50('fold'),
    fastFold: p50('fastFold'),
    etag: p50('etag'),
    sameBytes,
  };
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

function count(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}
