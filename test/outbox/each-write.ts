import { expect } from 'vitest';
import type { DbKind } from '../../src/db/db.port.js';
import { databaseDigest } from './database-digest.js';
import { outboxGaps } from './outbox-gaps.js';
import { openWorld, type World } from './world.js';

/** A flow as a person does it, and what must hold after it fails anywhere and is retried. */
export interface FaultFlow {
  /**
   * For a flow that changes what reset() cannot restore (an erasure): the failed attempts run one
   * after another on one database, each checked to leave every table exactly as it was, and
   * the last attempt (nothing failed) is the retry.
   */
  inSequence?: boolean;
  /** What comes before (never failed). */
  setup?(w: World): Promise<void>;
  /** The flow, done again as it is when the person retries. */
  act(w: World): Promise<unknown>;
  /** After the retry and a drain: each message sent once (the flow's own check). */
  settled(w: World): Promise<void>;
}

/**
 * Counts the writes of a flow (commit included), then for each one: the world reset, that write
 * failed, the database checked for a change stored without its messages, the flow retried,
 * everything due sent, and the flow's own check. Returns how many writes were failed.
 */
export async function failEachWrite(kind: DbKind, flow: FaultFlow): Promise<number> {
  if (flow.inSequence) return failEachInSequence(kind, flow);
  const w = await openWorld(kind);
  try {
    await flow.setup?.(w);
    const count = (await w.faults.writesOf(() => flow.act(w))).length;
    await w.drain();
    await flow.settled(w);
    expect(count).toBeGreaterThan(0);
    console.info(`${kind}: ${count} writes, each failed in turn`);
    for (let n = 1; n <= count; n++) {
      await w.reset();
      await flow.setup?.(w);
      w.faults.failNth(n, { writesOnly: true });
      await flow.act(w);
      const failed = w.faults.queries.find((q) => q.failed);
      expect(failed, `write ${n} of ${count} was failed`).toBeDefined();
      expect(await outboxGaps(w.db.db), `after failing write ${n} (${failed!.sql.slice(0, 60)})`).toEqual([]);
      await w.drain();
      await flow.act(w);
      await w.drain();
      expect(await outboxGaps(w.db.db)).toEqual([]);
      await flow.settled(w);
    }
    return count;
  } finally {
    await w.close();
  }
}

async function countWrites(kind: DbKind, flow: FaultFlow): Promise<number> {
  const w = await openWorld(kind);
  try {
    await flow.setup?.(w);
    const count = (await w.faults.writesOf(() => flow.act(w))).length;
    await w.drain();
    await flow.settled(w);
    expect(count).toBeGreaterThan(0);
    return count;
  } finally {
    await w.close();
  }
}

async function failEachInSequence(kind: DbKind, flow: FaultFlow): Promise<number> {
  const count = await countWrites(kind, flow);
  console.info(`${kind}: ${count} writes, each failed in turn (in sequence)`);
  const w = await openWorld(kind);
  try {
    await flow.setup?.(w);
    const before = await databaseDigest(w.db.db);
    for (let n = 1; n <= count; n++) {
      w.faults.clear();
      w.faults.failNth(n, { writesOnly: true });
      await flow.act(w);
      const failed = w.faults.queries.find((q) => q.failed);
      expect(failed, `write ${n} of ${count} was failed`).toBeDefined();
      expect(await databaseDigest(w.db.db), `after failing write ${n} (${failed!.sql.slice(0, 60)})`).toEqual(before);
      w.faults.clearRules();
    }
    await flow.act(w);
    await w.drain();
    expect(await outboxGaps(w.db.db)).toEqual([]);
    await flow.settled(w);
    return count;
  } finally {
    await w.close();
  }
}

/** How many times the dispatcher sent each key with this prefix. */
export function sentCounts(w: World, prefix: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of w.results) if (r.outcome === 'sent' && r.key.startsWith(prefix)) counts[r.key] = (counts[r.key] ?? 0) + 1;
  return counts;
}
