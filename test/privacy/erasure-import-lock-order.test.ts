import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { recordErasure } from '../../src/privacy/erasures.js';
import { erasePersonalData } from '../../src/privacy/personal-data.js';
import { until } from '../process/service-process.js';
import { backendPid, waitingOn } from '../support/lock-waits.js';
import { freshDatabase } from '../support/databases.js';
import { importYaml } from '../support/schedule-builder.js';

const demo = readFileSync('calendars/demo.yaml', 'utf8');
const email = 'katarzyna.wisniewska@example.org';
const katarzyna = `name: Katarzyna Wiśniewska\n        email: ${email}\n        institution: Sąd Rejonowy dla Łodzi-Śródmieścia w Łodzi\n        role: member\n        channels: [email]\n        language: pl`;
// Katarzyna becomes coordinator in Łódź (an UPDATE of her membership) and joins Łowicz (an INSERT).
const changed = demo
  .replace(katarzyna, katarzyna.replace('role: member', 'role: coordinator'))
  .replace(/(  - id: lowicz[\s\S]*?    members:\n)/, `$1      - ${katarzyna}\n`);

type Settled<T> = { ok: true; value: T } | { ok: false; error: string; where?: string };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: Error & { code?: string; where?: string }) => ({ ok: false as const, error: `${error.code} ${error.message}`, where: error.where }),
  );

/**
 * An import that updates one membership of a person and inserts another used to deadlock with
 * that person's erasure on PostgreSQL (40P01): the erasure locked the person's row, then
 * deleted memberships; the import held the updated membership, then its insert's foreign key
 * waited for a key share on the person's row. The erasure now takes the import's lock first
 * (src/privacy/personal-data.ts, lockInOrder), so the two run one after the other, whichever
 * came first: an import after the erasure is refused (the file still lists her), an import
 * before it leaves nothing the erasure does not remove. A third transaction pauses the first
 * one so the interleaving is certain; nothing of our code is faked.
 */
const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('an import and an erasure of the same person at once (PostgreSQL)', () => {
  const clock = new FixedClock('2026-12-20T12:00:00Z');
  let current: Db;
  beforeEach(async () => {
    expect(changed).not.toBe(demo);
    expect(changed.split(email).length).toBe(3);
    current = await freshDatabase('postgres');
    await importYaml(current.db, clock, { 'demo.yaml': demo });
  }, 60_000);
  afterEach(async () => current?.close());

  const memberships = async (id: number) => (await current.db.selectFrom('memberships').select('team_id').where('person_id', '=', id).execute()).map((m) => m.team_id);

  it('control: the changed file imports alone', async () => {
    const summary = await importYaml(current.db, clock, { 'demo.yaml': changed });
    expect(summary.memberships).toMatchObject({ added: 1, updated: 1 });
  });

  it('should refuse the import that comes while she is being erased, without a deadlock', async () => {
    const db = current.db;
    const { id } = await db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    // The gate writes the same erasure record (uncommitted): the erasure pauses after its locks.
    const gate = await db.startTransaction().execute();
    const gatePid = await backendPid(gate);
    await recordErasure(gate, email, id, clock.now());
    const erasure = settle(erasePersonalData(db, id, clock));
    await until(async () => (await waitingOn(current.db, gatePid)) >= 1, 5000, 'the erasure waits at the gate, holding its locks');
    const imported = settle(importYaml(db, clock, { 'demo.yaml': changed }));
    await until(async () => (await waitingOn(current.db, gatePid)) >= 2, 5000, 'the import waits for the erasure');
    await gate.rollback().execute();

    const [erased, imports] = await Promise.all([erasure, imported]);
    expect(erased).toEqual({ ok: true, value: true });
    expect(imports.ok ? imports : imports.error).toMatch(/^SCHEDULE_INVALID .*katarzyna\.wisniewska@example\.org asked for their personal data to be erased/s);
    expect(await memberships(id)).toEqual([]);
  }, 30_000);

  it('should erase every membership of an import that came first, without a deadlock', async () => {
    const db = current.db;
    const { id } = await db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    // The gate holds an activity of the file: the import pauses holding its lock, before memberships.
    const gate = await db.startTransaction().execute();
    const gatePid = await backendPid(gate);
    await gate.selectFrom('activities').select('id').orderBy('id').limit(1).forUpdate().execute();
    const imported = settle(importYaml(db, clock, { 'demo.yaml': changed }));
    await until(async () => (await waitingOn(current.db, gatePid)) >= 1, 5000, 'the import waits at the gate, holding its lock');
    const erasure = settle(erasePersonalData(db, id, clock));
    await until(async () => (await waitingOn(current.db, gatePid)) >= 2, 5000, 'the erasure waits for the import');
    await gate.commit().execute();

    const [imports, erased] = await Promise.all([imported, erasure]);
    expect(imports.ok ? { ok: true, added: imports.value.memberships.added } : imports).toEqual({ ok: true, added: 1 });
    expect(erased).toEqual({ ok: true, value: true });
    expect(await memberships(id)).toEqual([]);
  }, 30_000);
});
