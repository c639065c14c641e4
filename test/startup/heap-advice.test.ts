import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.port.js';
import { adviseOnHeap, heapAdvice, HEAP_FOR_MANY_MB, MANY_PEOPLE } from '../../src/service-startup.js';
import { dialects, freshDatabase } from '../support/databases.js';

const MB = 1024 * 1024;

/**
 * A deployment of tens of thousands of people on the small heap the image and `npm start` give
 * (512 MB, 1 MB semi-spaces) lost 7,167 reminders in the national week: the operator is told at
 * start, once, what to set (docs/operations.md, "Sizing the heap").
 */
describe('heap advice', () => {
  it('should advise only above MANY_PEOPLE live people on a heap limit under HEAP_FOR_MANY_MB', () => {
    expect(heapAdvice(MANY_PEOPLE, 512 * MB)).toBeUndefined();
    expect(heapAdvice(MANY_PEOPLE + 1, HEAP_FOR_MANY_MB * MB)).toBeUndefined();
    const advice = heapAdvice(MANY_PEOPLE + 1, 512 * MB + 3 * MB);
    expect(advice).toContain(`${MANY_PEOPLE + 1} people on a heap of 515 MB`);
    expect(advice).toContain('NODE_OPTIONS="--max-old-space-size=2048 --max-semi-space-size=16"');
    expect(advice).toContain('docs/operations.md');
    expect(heapAdvice(30_000, (HEAP_FOR_MANY_MB - 1) * MB)).toBeDefined();
  });
});

describe.each(dialects)('heap advice at start on %s', (kind) => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDatabase(kind);
    // MANY_PEOPLE + 1 live people and one removed: the removed one does not count.
    await sql`insert into people (email, name, source) select 'p' || i || '@example.org', 'Osoba ' || i, 'test' from generate_series(1, ${MANY_PEOPLE + 2}) as i`.execute(db.db);
    await db.db.updateTable('people').set({ removed_at: new Date() }).where('email', '=', 'p1@example.org').execute();
  }, 60_000);
  afterAll(async () => db?.close());

  const logged = () => {
    const lines: { level: string; fields: object; text: string }[] = [];
    const log = { warn: (fields: object, text: string) => void lines.push({ level: 'warn', fields, text }), debug: (fields: object, text: string) => void lines.push({ level: 'debug', fields, text }) };
    return { lines, log: log as unknown as Parameters<typeof adviseOnHeap>[1] };
  };

  it('should warn on a small heap and say nothing on a large one', async () => {
    const small = logged();
    await adviseOnHeap(db.db, small.log, 512 * MB);
    expect(small.lines).toHaveLength(1);
    expect(small.lines[0]!.level).toBe('warn');
    expect(small.lines[0]!.fields).toEqual({ people: MANY_PEOPLE + 1, heapLimitMb: 512 });
    const large = logged();
    await adviseOnHeap(db.db, large.log, 2048 * MB);
    expect(large.lines).toHaveLength(0);
  });

  it('should not count removed people, and skip the advice when the count fails', async () => {
    await db.db.updateTable('people').set({ removed_at: new Date() }).where('email', '=', 'p2@example.org').execute();
    const quiet = logged();
    await adviseOnHeap(db.db, quiet.log, 512 * MB);
    expect(quiet.lines).toHaveLength(0);
    const failing = logged();
    await adviseOnHeap({ selectFrom: () => { throw new Error('gone'); } } as unknown as Db['db'], failing.log, 512 * MB);
    expect(failing.lines.map((l) => l.level)).toEqual(['debug']);
  });
});
