import { describe, expect, it } from 'vitest';
import { firstEarlyAt, leadMs, type LaneLoad, type LeadTerms } from '../../src/delivery/lead.js';

/**
 * The lead's formula (docs/delivery-engine.md, "The lead"), and a lane that claims by it: every
 * 100 ms it books at its pace what fits within one claim's cycle, taking rows due now first and
 * then rows within the lead whose earliest_at has passed, as claims.ts does.
 */
const T = Date.parse('2027-01-04T09:00:00Z');
const s = (seconds: number) => seconds * 1000;
const terms = (perSecond: number, over: Partial<LeadTerms> = {}): LeadTerms => ({ perSecond, maxMs: s(600), cycleMs: 1000, ...over });

interface Row {
  due: number;
  earliest: number | undefined;
  sentAt?: number;
}

/** Rows due at `due`, allowed from `earliest` (12 minutes before, unless told; null: never early). */
const lump = (n: number, due: number, earliest: number | null = due - s(720)): Row[] => Array.from({ length: n }, () => ({ due, earliest: earliest ?? undefined }));

function loadOf(rows: Row[], now: number, maxMs: number): LaneLoad {
  const load: LaneLoad = { dueNow: 0, ahead: [] };
  const at = new Map<number, LaneLoad['ahead'][number]>();
  for (const r of rows) {
    if (r.sentAt !== undefined) continue;
    if (r.due <= now) load.dueNow++;
    else if (r.due <= now + maxMs) {
      const group = at.get(r.due) ?? { at: r.due, n: 0, earliest: undefined };
      group.n++;
      if (r.earliest !== undefined) group.earliest = Math.min(group.earliest ?? Infinity, r.earliest);
      at.set(r.due, group);
    }
  }
  load.ahead = [...at.values()].sort((a, b) => a.at - b.at);
  return load;
}

/** Runs the lane from `from` until every row is sent; returns the rows with their send times. */
function run(rows: Row[], t: LeadTerms, from: number): Row[] {
  const queue = [...rows].sort((a, b) => a.due - b.due);
  let free = from;
  let until = from;
  for (let now = from; queue.some((r) => r.sentAt === undefined); now += 100) {
    free = Math.max(free, now);
    const room = Math.floor(((now + t.cycleMs - free) / 1000) * t.perSecond);
    if (room <= 0) continue;
    const lead = leadMs(loadOf(queue, now, t.maxMs), now, t, until);
    until = now + lead;
    const claimable = queue.filter((r) => r.sentAt === undefined && (r.due <= now || (r.due <= now + lead && r.earliest !== undefined && r.earliest <= now)));
    for (const r of claimable.slice(0, room)) {
      r.sentAt = free;
      free += 1000 / t.perSecond;
    }
  }
  return queue;
}

describe('the lead of early sends', () => {
  it('should start a lump of 1,134 at 20 a second 57.7 s ahead, so that its last row leaves by its due time', () => {
    const rows = lump(1134, T);
    const t = terms(20);
    expect(leadMs(loadOf(rows, T - s(60), t.maxMs), T - s(60), t)).toBe(0);
    expect(leadMs(loadOf(rows, T - 57_700, t.maxMs), T - 57_700, t)).toBe(57_700);
    expect(firstEarlyAt(loadOf(rows, T - s(300), t.maxMs), T - s(300), t)).toBe(T - 57_700);
    const sent = run(rows, t, T - s(120)).map((r) => r.sentAt!);
    expect(Math.min(...sent)).toBe(T - 57_700);
    expect(Math.max(...sent)).toBeLessThanOrEqual(T);
    // At the lane's pace from its start, not sooner than it needs: it ends about a cycle before.
    expect(Math.max(...sent)).toBeGreaterThan(T - s(2));
    // Today (no lead) its last row leaves 56.65 s late.
    expect(Math.max(...run(lump(1134, T), terms(20, { maxMs: 0 }), T - s(120)).map((r) => r.sentAt!))).toBe(T + 56_650);
  });

  it('should give a lone reminder no lead', () => {
    const rows = lump(1, T);
    const t = terms(20);
    for (const before of [600_000, 60_000, 1050, 1000, 500, 1]) expect(leadMs(loadOf(rows, T - before, t.maxMs), T - before, t)).toBe(0);
    expect(firstEarlyAt(loadOf(rows, T - s(60), t.maxMs), T - s(60), t)).toBeUndefined();
    expect(run(rows, t, T - s(60))[0]!.sentAt).toBe(T);
  });

  it('should start the first of two lumps close together early enough for the second', () => {
    const rows = [...lump(1000, T), ...lump(1000, T + s(30))];
    const t = terms(20);
    // The second lump's 2,000 rows (with the first's before them) need 100 s: the lane starts 101 s before it.
    expect(firstEarlyAt(loadOf(rows, T - s(300), t.maxMs), T - s(300), t)).toBe(T + s(30) - s(101));
    const sent = run(rows, t, T - s(300));
    expect(Math.min(...sent.map((r) => r.sentAt!))).toBe(T - s(71));
    for (const r of sent) expect(r.sentAt!).toBeLessThanOrEqual(r.due);
    // The first lump goes before the second.
    expect(Math.max(...sent.slice(0, 1000).map((r) => r.sentAt!))).toBeLessThan(Math.min(...sent.slice(1000).map((r) => r.sentAt!)));
  });

  it('should count rows that may not go early in the time the lane needs, and never send them early', () => {
    // 600 rows with no earliest_at due with the lump: the lane needs their time too.
    const rows = [...lump(600, T, null), ...lump(534, T)];
    const t = terms(20);
    expect(firstEarlyAt(loadOf(rows, T - s(300), t.maxMs), T - s(300), t)).toBe(T - 57_700);
    const sent = run(rows, t, T - s(120));
    for (const r of sent.filter((r) => r.earliest === undefined)) expect(r.sentAt!).toBeGreaterThanOrEqual(r.due);
    for (const r of sent.filter((r) => r.earliest !== undefined)) expect(r.sentAt!).toBeLessThan(r.due);
  });

  it('should not start before the rows’ earliest_at, and never lead further than the cap', () => {
    const rows = lump(1134, T, T - s(30));
    const t = terms(20);
    expect(firstEarlyAt(loadOf(rows, T - s(300), t.maxMs), T - s(300), t)).toBe(T - s(30));
    expect(Math.min(...run(rows, t, T - s(120)).map((r) => r.sentAt!))).toBe(T - s(30));
    const capped = terms(5, { maxMs: s(60) });
    const slack = lump(1134, T);
    expect(firstEarlyAt(loadOf(slack, T - s(300), s(600)), T - s(300), capped)).toBe(T - s(60));
    expect(leadMs(loadOf(slack, T - s(60), capped.maxMs), T - s(60), capped)).toBe(s(60));
    expect(leadMs(loadOf(slack, T - s(61), capped.maxMs), T - s(61), capped)).toBe(0);
  });

  it('should hold a horizon once reached though an instant before it counts again (rows that may not go early due meanwhile)', () => {
    const t = terms(20);
    // A lump sent ahead with its horizon at T; 30 rows that may not go early due 0.5 s from now
    // (1.5 s of the lane's time, so their instant counts for a lead of its own).
    const now = T - s(5);
    const load: LaneLoad = { dueNow: 0, ahead: [{ at: T - s(4.5), n: 30, earliest: undefined }, { at: T, n: 10, earliest: T - s(720) }] };
    // The horizon holds until it is passed, whatever nearer instant also counts.
    expect(leadMs(load, now, t, T)).toBe(s(5));
    // Through the lane: 40 reminders at T and 25 rows that may not go early at T − 4 s need
    // 3.25 s of a minute; the lump's tail, under one cycle's worth once the 25 are due, was
    // left to its due time and its last row 0.95 s late.
    const rows = [...lump(40, T), ...lump(25, T - s(4), null)];
    for (const r of run(rows, t, T - s(60)).filter((r) => r.earliest !== undefined)) expect(r.sentAt!).toBeLessThanOrEqual(r.due);
  });

  it('should give no lead at a rate of 0 (a Retry-After holds the lane) or with the feature off', () => {
    const rows = lump(1134, T);
    expect(leadMs(loadOf(rows, T - s(30), s(600)), T - s(30), terms(0))).toBe(0);
    expect(leadMs(loadOf(rows, T - s(30), s(600)), T - s(30), terms(20, { maxMs: 0 }))).toBe(0);
    expect(firstEarlyAt(loadOf(rows, T - s(300), s(600)), T - s(300), terms(20, { maxMs: 0 }))).toBeUndefined();
  });
});
