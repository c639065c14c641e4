import fc from 'fast-check';
import { checkModel, modelRuns } from '../support/model-runs.js';
import { sql } from 'kysely';
import { DateTime } from 'luxon';
import { IcalGeneratorRenderer } from '../../adapters/ical/ical-renderer.js';
import * as meetingChanges from '../../migrations/20261203_0017_meeting_changes.js';
import * as chatChangesBeforeUpgrade from '../../migrations/20261203_0019_chat_changes_before_upgrade.js';
import { describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { upcomingMeetings } from '../../src/bot/upcoming-meetings.js';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { zoned } from '../../src/domain/local-time.js';
import { clashWith, moveRefusal, occurrenceForDay } from '../../src/domain/meeting-moves.js';
import { expandSeries, occurrenceOn, takesPlace, type MeetingSeries } from '../../src/domain/occurrences.js';
import { loadTeams } from '../../src/feeds/feed-data.js';
import { FeedService } from '../../src/feeds/feed-service.js';
import { loadUpcoming } from '../../src/http/schedule/upcoming.js';
import { createLogger } from '../../src/log.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, importYaml } from '../support/schedule-builder.js';
import { expand, parseCalendar } from '../feeds/ical.js';

/**
 * A model of one team's meeting occurrences (README "Schedule files", docs/meetings.md): random
 * chat moves and cancellations, imports of changed and unchanged files, and clock steps across
 * meeting starts, both clock changes, Easter Monday, 3 May and 1 November (Monday and Tuesday
 * meetings, so those holidays shift to Wednesday), and upgrades from before migration 0017 (the
 * chat changes made so far as the chat command of then left them, and the first import after
 * it). After every step:
 * - each meeting that takes place is listed exactly once at its real time (spotkania, schedule page);
 * - the team feed holds exactly those meetings at their real times, and so does a feed whose
 *   two-year horizon falls inside the season (moves across it both ways), up to that horizon;
 * - no two meetings of the series at the same time;
 * - nothing a coordinator changed in chat is undone silently (the stored exceptions are the model's);
 * - no notice for an unchanged time (the notices are exactly one per member per changed occurrence).
 * MODEL_SEED and MODEL_RUNS repeat or widen a run; the seed and runs are printed (test/support/model-runs.ts).
 */
const ZONE = 'Europe/Warsaw';
const RULE = 'FREQ=WEEKLY;BYDAY=MO,TU';
const MEMBERS = 3;
/** Two seasons, each from a Monday: spring (clocks forward 28 March, Easter Monday, 3 May), autumn (back 31 October, 1 November). */
const SEASONS = ['2027-03-01', '2027-10-18'];
/** A feed's horizon inside each season (a feed rendered two years before it), so moves cross it. */
const HORIZONS: Record<string, string> = { '2027-03-01': '2027-04-01', '2027-10-18': '2027-11-01' };
const DAYS = 70;
const RULE_DAYS = 20;
let base = SEASONS[0]!;
let FIRST = `${base}T10:00`;
let days: string[] = [];
let ruleDays: string[] = [];
function season(first: string): void {
  base = first;
  FIRST = `${first}T10:00`;
  days = Array.from({ length: DAYS }, (_, i) => DateTime.fromISO(first, { zone: 'UTC' }).plus({ days: i }).toISODate()!);
  ruleDays = days.filter((d) => [1, 2].includes(DateTime.fromISO(d, { zone: 'UTC' }).weekday));
}
season(base);
const HOURS = [2, 8, 10, 11, 18];

type Exc = { cancelled: true } | { movedTo: string };
/** A day of the season, or the date of the file's n-th `except:` entry (chat changing what the file also says). */
type Day = number | { fileEntry: number };
type Action =
  | { kind: 'cancel'; day: Day }
  | { kind: 'move'; day: Day; toDay: number; hour: number }
  | { kind: 'import'; edits: { day: number; what: 'cancel' | 'move' | 'drop'; toDay: number; hour: number }[] }
  | { kind: 'clock'; hours: number }
  | { kind: 'upgrade'; edits: { day: number; what: 'cancel' | 'move' | 'drop'; toDay: number; hour: number }[] };

const anyDay: fc.Arbitrary<Day> = fc.oneof(fc.nat(DAYS - 1), fc.record({ fileEntry: fc.nat(5) }));
const fileEdit = fc.record({ day: fc.nat(RULE_DAYS - 1), what: fc.constantFrom('cancel' as const, 'move' as const, 'drop' as const), toDay: fc.nat(DAYS - 1), hour: fc.constantFrom(...HOURS) });
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), day: anyDay }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('move' as const), day: anyDay, toDay: fc.nat(DAYS - 1), hour: fc.constantFrom(...HOURS) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('import' as const), edits: fc.array(fileEdit, { maxLength: 2 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('clock' as const), hours: fc.integer({ min: 1, max: 240 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('upgrade' as const), edits: fc.array(fileEdit, { maxLength: 1 }) }), weight: 2 },
);

const at = (day: number, hour: number) => `${days[day]}T${String(hour).padStart(2, '0')}:00`;
const same = (a: Exc | undefined, b: Exc | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** What the file said of a chat change's occurrence; 'unknown' for one made before migration 0017. */
type FileThen = Exc | undefined | 'unknown';

class Model {
  file = new Map<string, Exc>();
  chat = new Map<string, { exc: Exc; fileThen: FileThen }>();
  effective(): Map<string, Exc> {
    const out = new Map(this.file);
    for (const [date, { exc }] of this.chat) out.set(date, exc);
    return out;
  }
  series(effective = this.effective()): MeetingSeries {
    const exceptions = [...effective].map(([date, e]) => ({ date, cancelled: 'cancelled' in e, movedToLocal: 'movedTo' in e ? e.movedTo : null }));
    return { teamId: 'm', timezone: ZONE, rrule: RULE, startsLocal: FIRST, duration: 'PT2H', onHoliday: 'shift', exceptions };
  }
}

function fileYaml(file: Map<string, Exc>): string {
  let team = aTeam('m').meetingsEvery(RULE, FIRST).withMember('Anna Nowak', 'anna@example.org', 'coordinator');
  team = team.withMember('Ewa Lis', 'ewa@example.org').withMember('Jan Bak', 'jan@example.org');
  for (const [date, e] of [...file].sort()) team = 'cancelled' in e ? team.cancelling(date) : team.moving(date, e.movedTo);
  return aSchedule().with(team).toYaml();
}

/** The dates whose meeting's time changed between two model series (and is not wholly past). */
function timeChanges(before: MeetingSeries, after: MeetingSeries, dates: Iterable<string>, now: Date): Set<string> {
  const changed = new Set<string>();
  for (const date of dates) {
    const [was, is] = [occurrenceOn(before, date), occurrenceOn(after, date)];
    const from = was && takesPlace(was) ? was.start.toMillis() : undefined;
    const to = is && takesPlace(is) ? is.start.toMillis() : undefined;
    if (from !== to && Math.max(from ?? 0, to ?? 0) > now.getTime()) changed.add(date);
  }
  return changed;
}

/** The file after an import's edits of its `except:` entries. */
function edited(before: Map<string, Exc>, edits: { day: number; what: 'cancel' | 'move' | 'drop'; toDay: number; hour: number }[]): Map<string, Exc> {
  const file = new Map(before);
  for (const edit of edits) {
    const date = ruleDays[edit.day]!;
    if (edit.what === 'drop') file.delete(date);
    else file.set(date, edit.what === 'cancel' ? { cancelled: true } : { movedTo: at(edit.toDay, edit.hour) });
  }
  return file;
}

/** The first file: its exceptions, unless one of its moves overlaps another meeting (an import refuses that). */
function firstFile(edits: Parameters<typeof edited>[1]): Map<string, Exc> {
  const model = new Model();
  model.file = edited(model.file, edits);
  const series = model.series();
  const clash = series.exceptions.some((e) => e.movedToLocal && clashWith(series, e.date, zoned(e.movedToLocal, ZONE)));
  return clash ? new Map() : model.file;
}

async function step(db: Db, bot: Bot, clock: FixedClock, model: Model, a: Action): Promise<Set<string>> {
  const say = (line: string) => {
    const [command = '', ...rest] = line.split(' ');
    return bot.handle({ type: 'command', from: { channel: 'console', email: 'anna@example.org' }, command, text: rest.join(' ') });
  };
  const now = clock.now();
  const series = model.series();
  if (a.kind === 'clock') {
    clock.set(new Date(now.getTime() + a.hours * 3_600_000).toISOString());
    return new Set();
  }
  if (a.kind === 'upgrade') {
    // The upgrade, then the first import after it (of the same file, or with an edit).
    await asBeforeUpgrade(db, model);
    for (const entry of model.chat.values()) entry.fileThen = 'unknown';
  }
  if (a.kind === 'cancel' || a.kind === 'move') {
    const entries = [...model.file.keys()].sort();
    const day = typeof a.day === 'number' ? days[a.day]! : (entries[a.day.fileEntry % entries.length] ?? days[0]!);
    const occurrence = occurrenceForDay(series, day);
    let exc: Exc | undefined;
    if (a.kind === 'cancel') {
      await say(`spotkania odwołaj ${day}`);
      const open = occurrence && occurrence.start.toMillis() > now.getTime() && takesPlace(occurrence);
      if (open) exc = { cancelled: true };
    } else {
      await say(`spotkania przenieś ${day} ${days[a.toDay]} ${a.hour}:00`);
      const to = zoned(at(a.toDay, a.hour), ZONE);
      if (occurrence && occurrence.start.toMillis() > now.getTime() && !moveRefusal(series, occurrence, to, now)) exc = { movedTo: at(a.toDay, a.hour) };
    }
    if (!exc || !occurrence) return new Set();
    const fileThen = model.chat.has(occurrence.date) ? model.chat.get(occurrence.date)!.fileThen : model.file.get(occurrence.date);
    model.chat.set(occurrence.date, { exc, fileThen });
    return new Set([occurrence.date]);
  }
  const file = edited(model.file, a.edits);
  // A chat change whose file word is unknown takes this file's as what the file said then (docs/meetings.md).
  const unknown = new Set([...model.chat].filter(([, c]) => c.fileThen === 'unknown').map(([date]) => date));
  const changed = [...new Set([...model.file.keys(), ...file.keys()])].filter((d) => !unknown.has(d) && !same(model.file.get(d), file.get(d)));
  const chat = new Map([...model.chat].filter(([date]) => !changed.includes(date)).map(([date, c]) => [date, c.fileThen === 'unknown' ? { ...c, fileThen: file.get(date) } : c]));
  const next = new Model();
  next.file = file;
  next.chat = chat;
  const after = next.series();
  const refused = changed.length > 0 && after.exceptions.some((e) => e.movedToLocal && clashWith(after, e.date, zoned(e.movedToLocal, ZONE)));
  const result = await importYaml(db.db, clock, { 'm.yaml': fileYaml(file) }).then(
    (summary) => ({ summary }),
    (error: Error) => ({ error }),
  );
  expect('error' in result, `import refused: ${'error' in result ? result.error.message : ''}`).toBe(refused);
  if (refused) return new Set();
  if ('summary' in result) expect(result.summary.meetings.updated).toBe(changed.length > 0 ? 1 : 0);
  const told = timeChanges(series, after, changed, now);
  model.file = file;
  model.chat = chat;
  return told;
}

/**
 * The database as an upgrade from before migration 0017 finds it: the chat changes made so far
 * as the chat command of then recorded them (the latest record of their date, without `from`),
 * the file's exceptions last changed by an import; then 0017 and 0019 run as on the upgrade.
 */
async function asBeforeUpgrade(db: Db, model: Model): Promise<void> {
  await chatChangesBeforeUpgrade.down(db.db);
  await meetingChanges.down(db.db);
  for (const [date, e] of model.effective()) {
    const c = model.chat.get(date)?.exc;
    const details = c ? { by: 'chat', to: 'movedTo' in c ? c.movedTo : null } : {};
    const kind = 'cancelled' in e ? 'meeting_cancelled' : 'meeting_moved';
    await sql`insert into schedule_changes (kind, team_id, occurrence_date, details) values (${kind}, 'm', ${date}, ${JSON.stringify(details)})`.execute(db.db);
  }
  await meetingChanges.up(db.db);
  await chatChangesBeforeUpgrade.up(db.db);
}

/** The team feed as ical.js expands it, as [rule date, start] from the feed rendered at `now`. */
async function feedOccurrences(db: Db, now: string): Promise<string[][]> {
  const feeds = new FeedService({ db: db.db, renderer: new IcalGeneratorRenderer(ZONE), clock: new FixedClock(now) });
  const from = DateTime.fromISO(base, { zone: 'UTC' });
  const text = (await feeds.team('m'))!.body.toString('utf8');
  return expand(parseCalendar(text), 'pzk-m@kooperator', from.minus({ days: 60 }).toISODate()!, from.plus({ days: 150 }).toISODate()!).map((o) => [
    o.ruleDate.slice(0, 10),
    o.start.toUTC().toISO()!,
  ]);
}

async function checkInvariants(db: Db, clock: FixedClock, model: Model, told: Set<string>, noticesBefore: number): Promise<number> {
  const now = clock.now();
  const stored = await db.db.selectFrom('meeting_exceptions').selectAll().where('team_id', '=', 'm').orderBy('occurrence_date').execute();
  const storedMap = Object.fromEntries(stored.map((r) => [r.occurrence_date, r.cancelled ? { cancelled: true } : { movedTo: r.moved_to_local }]));
  expect(storedMap, 'the stored exceptions are the model’s: no chat change undone silently').toEqual(Object.fromEntries([...model.effective()].sort()));

  const [team] = await loadTeams(db.db, ['m']);
  const from = DateTime.fromISO(base, { zone: 'UTC' });
  const all = expandSeries(team!.meetings, from.minus({ days: 60 }).toJSDate(), from.plus({ days: 150 }).toJSDate()).filter(takesPlace);
  const starts = all.map((o) => o.start.toMillis()).sort((a, b) => a - b);
  for (let i = 1; i < all.length; i++) expect(starts[i]! - starts[i - 1]!, 'no two meetings of the series at the same time').toBeGreaterThanOrEqual(2 * 3_600_000);

  const until = new Date(now.getTime() + 8 * 7 * 86_400_000);
  const expected = starts.filter((s) => s >= now.getTime() && s < until.getTime());
  const pairs = all.map((o) => [o.date, o.start.toUTC().toISO()!]);
  expect(await feedOccurrences(db, now.toISOString()), 'the feed holds each meeting once at its real time').toEqual(pairs);
  // A feed rendered two years before the season: its horizon falls inside it.
  const horizon = new Date(`${HORIZONS[base]!}T00:00:00Z`);
  const clipped = await feedOccurrences(db, DateTime.fromJSDate(horizon, { zone: 'UTC' }).minus({ years: 2 }).plus({ days: 1 }).toISO()!);
  const mustShow = all.filter((o) => o.start.toMillis() < horizon.getTime() || o.originalStart.toMillis() < horizon.getTime()).map((o) => JSON.stringify([o.date, o.start.toUTC().toISO()]));
  const shown = clipped.map((p) => JSON.stringify(p));
  expect(new Set(shown).size, 'a feed lists no meeting twice').toBe(shown.length);
  expect(shown.filter((p) => !pairs.some((q) => JSON.stringify(q) === p)), 'a feed shows only meetings that take place, at their real times').toEqual([]);
  expect(mustShow.filter((p) => !shown.includes(p)), 'a feed shows every meeting before its horizon, also one moved there from beyond it').toEqual([]);

  const listed = (await upcomingMeetings(db.db).of(['m'], now, until)).map((m) => m.occurrence.start.toMillis()).sort((a, b) => a - b);
  expect(listed, 'spotkania lists each meeting once at its real time').toEqual(expected);
  const page = (await loadUpcoming(db.db, now)).items.filter((i) => i.teamId === 'm' && !i.cancelled).map((i) => i.start.toMillis());
  expect(page, 'the schedule page lists each meeting once at its real time').toEqual(expected);

  const notices = await db.db
    .selectFrom('deliveries')
    .innerJoin('schedule_changes', (j) => j.on((eb) => eb('schedule_changes.id', '=', eb.cast<number>(eb.fn('jsonb_extract_path_text', ['deliveries.payload', eb.val('changeId')]), 'integer'))))
    .select(['deliveries.id', 'schedule_changes.occurrence_date'])
    .where('deliveries.kind', '=', 'meeting_change')
    .orderBy('deliveries.id')
    .execute();
  const fresh = notices.slice(noticesBefore);
  expect(fresh.length, `notices exactly for the occurrences whose time changed: ${[...told].join(', ')}`).toBe(told.size * MEMBERS);
  for (const n of fresh) expect(told.has(n.occurrence_date!)).toBe(true);
  return notices.length;
}

const RUNS = modelRuns(6);

describe.each(dialects)('meeting occurrences, model-based, on %s', (kind) => {
  it('should keep the invariants through random chat changes, imports and clock steps', { timeout: 120_000 + RUNS.numRuns * 20_000 }, async () => {
    await checkModel(
      `meeting occurrences model on ${kind}`,
      fc.tuple(fc.constantFrom(...SEASONS), fc.array(fileEdit, { maxLength: 3 }), fc.array(action, { minLength: 1, maxLength: 10 })),
      async ([first, initial, actions]) => {
        season(first);
        const clock = new FixedClock(DateTime.fromISO(`${first}T08:00:00Z`, { zone: 'UTC' }).minus({ days: 4 }).toISO()!);
        const db = await freshDatabase(kind);
        try {
          const model = new Model();
          model.file = firstFile(initial);
          await importYaml(db.db, clock, { 'm.yaml': fileYaml(model.file) });
          const bot = new Bot({ db: db.db, clock, publicUrl: 'https://k.example.org', appSecret: 'k'.repeat(40), log: createLogger('silent') });
          let notices = 0;
          for (const a of actions) {
            const told = await step(db, bot, clock, model, a);
            notices = await checkInvariants(db, clock, model, told, notices);
          }
        } finally {
          await db.close();
        }
      },
      RUNS,
    );
  });
});
