import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { zoned, zoneNamed } from '../../src/domain/local-time.js';
import type { Language } from '../../src/i18n/messages.js';
import { inHowLongUntil } from '../../src/reminders/reminder-message.js';

/**
 * inHowLongUntil counts calendar days by arithmetic on the zone's offset instead of luxon's
 * startOf('day') and diff (a lump renders it for every team and language). The luxon form it
 * replaced is kept here as the oracle: the words must be the same for every start and instant.
 */
function oracle(start: DateTime, sentAt: Date, language: Language): string {
  const relative = new Intl.RelativeTimeFormat(language === 'pl' ? 'pl-PL' : 'en-GB', { numeric: 'auto' });
  const now = DateTime.fromJSDate(sentAt, { zone: start.zone });
  const days = Math.round(start.startOf('day').diff(now.startOf('day'), 'days').days);
  if (days >= 1) return relative.format(days, 'day');
  const minutes = Math.max(1, Math.round((start.toMillis() - sentAt.getTime()) / 60_000));
  return minutes >= 60 ? relative.format(Math.round(minutes / 60), 'hour') : relative.format(minutes, 'minute');
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Instants where the words may turn: Warsaw's clock changes, midnights, year ends (UTC and Warsaw). */
const anchors = [
  '2026-03-29T01:00:00Z', // Warsaw 02:00 → 03:00
  '2026-10-25T01:00:00Z', // Warsaw 03:00 → 02:00
  '2027-03-28T01:00:00Z',
  '2027-10-31T01:00:00Z',
  '2026-12-31T23:00:00Z', // Warsaw's new year
  '2027-01-01T00:00:00Z',
  '2027-03-01T23:00:00Z', // a Warsaw midnight in winter
  '2027-06-14T22:00:00Z', // and in summer
  '2028-02-28T23:00:00Z', // a leap day
  '2024-12-31T22:59:59.999Z',
].map((iso) => Date.parse(iso));

const languages = fc.constantFrom<Language>('pl', 'en');

/** A delta from minutes to weeks either way, with seconds and milliseconds now and then. */
const delta = fc.oneof(
  fc.integer({ min: -180, max: 180 }).map((m) => m * MINUTE),
  fc.integer({ min: -3 * 24 * 60, max: 40 * 24 * 60 }).map((m) => m * MINUTE),
  fc.integer({ min: -3 * DAY, max: 40 * DAY }),
  fc.integer({ min: -2, max: 40 }).chain((d) => fc.integer({ min: -90, max: 90 }).map((m) => d * DAY + m * MINUTE)),
);

const near = fc.tuple(fc.constantFrom(...anchors), fc.integer({ min: -2 * DAY, max: 2 * DAY })).map(([a, d]) => a + d);

describe('inHowLongUntil as arithmetic', () => {
  it('should say what the luxon form said for starts and sending instants about Warsaw clock changes, midnights and year ends', () => {
    fc.assert(
      fc.property(near, delta, languages, fc.boolean(), (sent, gap, language, remembering) => {
        const zone = remembering ? zoneNamed('Europe/Warsaw') : 'Europe/Warsaw';
        const start = DateTime.fromMillis(sent + gap, { zone });
        const sentAt = new Date(sent);
        expect(inHowLongUntil(start, sentAt, language)).toBe(oracle(start, sentAt, language));
      }),
      { numRuns: 10_000 },
    );
  });

  it('should say what the luxon form said for meetings at wall-clock times, sent at any minute before or after', () => {
    // Starts as renderReminder gets them (zoned wall time, the clock changes' skipped hour included).
    const wall = fc.record({
      day: fc.constantFrom('2026-03-28', '2026-03-29', '2026-03-30', '2026-10-24', '2026-10-25', '2026-10-26', '2026-12-31', '2027-01-01', '2027-03-28', '2027-10-31', '2028-02-29'),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.constantFrom(0, 15, 30, 59),
    });
    fc.assert(
      fc.property(wall, delta, languages, ({ day, hour, minute }, gap, language) => {
        const start = zoned(`${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`, 'Europe/Warsaw');
        const sentAt = new Date(start.toMillis() - gap);
        expect(inHowLongUntil(start, sentAt, language)).toBe(oracle(start, sentAt, language));
      }),
      { numRuns: 10_000 },
    );
  });

  it('should say what the luxon form said in other zones: UTC, a half-hour clock change, a change at midnight, far from UTC', () => {
    const zones = fc.constantFrom('UTC', 'Australia/Lord_Howe', 'America/Santiago', 'America/Sao_Paulo', 'Asia/Kolkata', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/St_Johns');
    const instant = fc.integer({ min: Date.parse('2018-01-01T00:00:00Z'), max: Date.parse('2030-12-31T00:00:00Z') });
    fc.assert(
      fc.property(zones, instant, delta, languages, (name, sent, gap, language) => {
        const start = DateTime.fromMillis(sent + gap, { zone: zoneNamed(name) });
        const sentAt = new Date(sent);
        expect(inHowLongUntil(start, sentAt, language)).toBe(oracle(start, sentAt, language));
      }),
      { numRuns: 10_000 },
    );
  });

  it('should say the same for the cases the words turn on', () => {
    const warsaw = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Warsaw' });
    const cases: [string, string][] = [
      ['2027-03-29T00:00', '2027-03-28T23:59'], // tomorrow, a minute ahead
      ['2027-03-28T03:00', '2027-03-28T01:59'], // across the skipped hour
      ['2027-10-31T02:30', '2027-10-30T02:30'],
      ['2027-01-01T00:30', '2026-12-31T23:45'],
      ['2027-01-01T10:00', '2026-12-25T10:00'],
      ['2027-03-01T10:00', '2027-03-01T10:00'], // now
      ['2027-03-01T10:00', '2027-03-01T12:00'], // past
      ['2027-03-01T10:00', '2027-03-02T12:00'], // a day past
    ];
    for (const [start, sent] of cases) {
      for (const language of ['pl', 'en'] as const) {
        const sentAt = warsaw(sent).toJSDate();
        expect(inHowLongUntil(warsaw(start), sentAt, language), `${start} from ${sent} (${language})`).toBe(oracle(warsaw(start), sentAt, language));
      }
    }
    expect(inHowLongUntil(warsaw('2027-03-29T00:00'), warsaw('2027-03-28T23:59').toJSDate(), 'pl')).toBe('jutro');
    expect(inHowLongUntil(warsaw('2027-03-28T03:00'), warsaw('2027-03-28T01:59').toJSDate(), 'en')).toBe('in 1 minute');
  });
});
