/**
 * Issue 15: the lista obecności PDF of a meeting of 500 people (17 pages), from the database to
 * the last byte written: under 2 s and under 100 MB of extra memory. The first list is timed cold
 * (the fonts not yet read, pdfkit's code not yet compiled), then five more for the median. Extra
 * memory is the peak resident size sampled every 5 ms while a list is made, less the size just
 * before; the bytes go to a sink that counts them, as they would go to an HTTP response.
 */
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { Database } from '../src/db/tables.js';
import { loadAttendanceList } from '../src/participation/attendance-list.js';
import { writeAttendancePdf } from '../src/participation/attendance-pdf.js';
import { freshPglite } from './databases.js';
import { int, ms, percentile, yesNo, type Report } from './support.js';

const PEOPLE = 500;
const RUNS = 5;
const DAY = '2027-01-12';

async function seed(db: Kysely<Database>): Promise<void> {
  await db.insertInto('teams').values({ id: 'bench', name: 'PZK Tomaszów Mazowiecki – Łęczyca', area: 'powiat', timezone: 'Europe/Warsaw', slack_channel: null, source: 'bench', removed_at: null }).execute();
  await db
    .insertInto('meeting_series')
    .values({ team_id: 'bench', rrule: 'FREQ=MONTHLY;BYDAY=2TU', starts_local: `${DAY}T10:00`, duration: 'PT2H', location: 'Sala konferencyjna nr 12, Urząd Miasta, ul. Żeromskiego 5', online_url: null, reminders: '[]', on_holiday: 'shift' })
    .execute();
  const people = await db
    .insertInto('people')
    .values(
      Array.from({ length: PEOPLE }, (_, i) => ({
        email: `osoba${i}@example.org`,
        name: `Małgorzata Źdźbło-Żółkiewska ${i + 1}`,
        institution: `Powiatowe Centrum Pomocy Rodzinie w Tomaszowie Mazowieckim, Oddział nr ${i % 40}`,
        language: 'pl' as const,
        channels: '["email"]',
        staff_role: null,
        source: 'bench',
        removed_at: null,
      })),
    )
    .returning('id')
    .execute();
  await db.insertInto('memberships').values(people.map((p) => ({ team_id: 'bench', person_id: p.id, role: 'member' as const, removed_at: null }))).execute();
  await db.insertInto('membership_periods').values(people.map((p) => ({ team_id: 'bench', person_id: p.id, started_at: new Date('2026-01-01T00:00:00Z') }))).execute();
  await db
    .insertInto('attendance')
    .values(people.filter((_, i) => i % 4 !== 0).map((p, i) => ({ kind: 'meeting' as const, ref_id: 'bench', day: DAY, person_id: p.id, present: i % 5 !== 0, method: 'checkin', marked_by: null, marked_at: new Date() })))
    .execute();
}

async function oneList(db: Kysely<Database>): Promise<{ ms: number; extraMb: number; bytes: number; pages: number }> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  let bytes = 0;
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((bytes += chunk.length), done()) });
  const start = performance.now();
  const list = await loadAttendanceList(db, { kind: 'meeting', refId: 'bench', day: DAY });
  if (!list || list.people.length !== PEOPLE) throw new Error(`the list has ${list?.people.length} people, not ${PEOPLE}`);
  await writeAttendancePdf(list, { blank: false, now: new Date() }, sink);
  const elapsed = performance.now() - start;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms: elapsed, extraMb: (peak - before) / 1048576, bytes, pages: Math.ceil(PEOPLE / 30) };
}

export async function attendancePdfBenchmark(report: Report): Promise<void> {
  const db = await freshPglite();
  try {
    await seed(db.db);
    const cold = await oneList(db.db);
    report.row(`attendance-pdf: lista obecności of ${PEOPLE} people (${cold.pages} pages, ${int(cold.bytes / 1024)} KB), first (cold)`, ms(cold.ms), '< 2 s', yesNo(cold.ms < 2000));
    report.row('  attendance-pdf: extra memory while making it (peak RSS less RSS before), cold', `${cold.extraMb.toFixed(1)} MB`, '< 100 MB', yesNo(cold.extraMb < 100));
    const warm: { ms: number; extraMb: number }[] = [];
    for (let i = 0; i < RUNS; i++) warm.push(await oneList(db.db));
    report.row(
      '  attendance-pdf: warm, p50',
      `${ms(percentile(warm.map((w) => w.ms), 50))} (max ${ms(Math.max(...warm.map((w) => w.ms)))}; peak extra memory ${Math.max(...warm.map((w) => w.extraMb)).toFixed(1)} MB; ${RUNS} lists)`,
      '< 2 s',
      yesNo(Math.max(...warm.map((w) => w.ms)) < 2000),
    );
  } finally {
    await db.close();
  }
}
