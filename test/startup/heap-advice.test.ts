import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.port.js';
import { adviseOnHeap, heapAdvice, MANY_PEOPLE, SEMI_SPACE_FOR_MANY_MB, semiSpaceOf } from '../../src/service-startup.js';
import { dialects, freshDatabase } from '../support/databases.js';

/**
 * A deployment of tens of thousands of people on the 1 MB semi-spaces the image and `npm start`
 * give lost 7,167 reminders in the national week (16 MB lost none): the operator is told at
 * start, once, what to set (docs/operations.md, "Sizing the heap").
 */
describe('heap advice', () => {
  it('should advise only above MANY_PEOPLE live people on semi-spaces under SEMI_SPACE_FOR_MANY_MB', () => {
    expect(heapAdvice(MANY_PEOPLE, 1)).toBeUndefined();
    expect(heapAdvice(MANY_PEOPLE + 1, SEMI_SPACE_FOR_MANY_MB)).toBeUndefined();
    expect(heapAdvice(MANY_PEOPLE + 1, undefined)).toBeUndefined();
    const advice = heapAdvice(MANY_PEOPLE + 1, 1);
    expect(advice).toContain(`${MANY_PEOPLE + 1} people on V8 semi-spaces of 1 MB`);
    expect(advice).toContain('NODE_OPTIONS="--max-old-space-size=512 --max-semi-space-size=16"');
    expect(advice).toContain('docs/operations.md');
    expect(heapAdvice(30_000, SEMI_SPACE_FOR_MANY_MB - 0.5)).toBeDefined();
  });

  it('should read the semi-space size as V8 does: NODE_OPTIONS, then the command line, the last one winning', () => {
    expect(semiSpaceOf([], undefined)).toBeUndefined();
    expect(semiSpaceOf(['--max-old-space-size=512'], '--enable-source-maps')).toBeUndefined();
    expect(semiSpaceOf(['--max-semi-space-size=1'], '--max-semi-space-size=16')).toBe(1);
    expect(semiSpaceOf([], '--max-old-space-size=512 --max-semi-space-size=16')).toBe(16);
    expect(semiSpaceOf(['--max-semi-space-size=16', '--max_semi_space_size=2'], undefined)).toBe(2);
    expect(semiSpaceOf(['--max-semi-space-size', '8'], undefined)).toBe(8);
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

  it('should warn on small semi-spaces and say nothing on V8 own or large ones', async () => {
    const small = logged();
    await adviseOnHeap(db.db, small.log, 1);
    expect(small.lines).toHaveLength(1);
    expect(small.lines[0]!.level).toBe('warn');
    expect(small.lines[0]!.fields).toEqual({ people: MANY_PEOPLE + 1, semiSpaceMb: 1 });
    for (const size of [16, undefined]) {
      const large = logged();
      await adviseOnHeap(db.db, large.log, size);
      expect(large.lines).toHaveLength(0);
    }
  });

  it('should not count removed people, and skip the advice when the count fails', async () => {
    await db.db.updateTable('people').set({ removed_at: new Date() }).where('email', '=', 'p2@example.org').execute();
    const quiet = logged();
    await adviseOnHeap(db.db, quiet.log, 1);
    expect(quiet.lines).toHaveLength(0);
    const failing = logged();
    await adviseOnHeap({ selectFrom: () => { throw new Error('gone'); } } as unknown as Db['db'], failing.log, 1);
    expect(failing.lines.map((l) => l.level)).toEqual(['debug']);
    // Large semi-spaces: not even a count.
    const none = logged();
    await adviseOnHeap({ selectFrom: () => { throw new Error('counted'); } } as unknown as Db['db'], none.log, 16);
    expect(none.lines).toHaveLength(0);
  });
});
