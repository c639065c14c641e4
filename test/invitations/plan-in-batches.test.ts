import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/db.port.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { dialects, freshDatabase } from '../support/databases.js';
import { aSchedule, aTeam, anActivity, importYaml } from '../support/schedule-builder.js';

/**
 * Invitations are planned in batches of people (each its own transaction, sized by time), so a
 * national conference never is one statement that holds PGlite's thread for seconds. Across
 * batches nobody may be skipped or invited twice: 620 people, more than the first batches hold,
 * one of them in two teams of the audience.
 */
describe.each(dialects)('invitations planned in batches on %s', (kind) => {
  let db: Db;
  const clock = new FixedClock('2027-02-01T09:00:00Z');
  const team = (id: string, count: number) => {
    const t = aTeam(id).meetingsEvery('FREQ=MONTHLY;BYDAY=1TU', '2027-02-02T10:00');
    for (let i = 0; i < count; i++) t.withMember(`Osoba ${id}-${i}`, `${id}-${i}@example.org`);
    return t;
  };

  beforeEach(async () => {
    db = await freshDatabase(kind);
    await importYaml(db.db, clock, {
      't.yaml': aSchedule()
        .with(team('t1', 300), team('t2', 300).withMember('Osoba t1-0', 't1-0@example.org'), team('t3', 20))
        .withActivities(anActivity('conf').ofKind('conference').forTeams('t1', 't2'), anActivity('all'))
        .toYaml(),
    });
  }, 120_000);
  afterEach(async () => db?.close());

  const perPerson = async (prefix: string) => {
    const rows = await db.db.selectFrom('deliveries').select(['dedupe_key', 'person_id']).where('kind', '=', 'invitation').where('dedupe_key', 'like', `${prefix}%`).execute();
    return { rows: rows.length, people: new Set(rows.map((r) => r.person_id)).size };
  };

  it('should invite everyone of each audience once, with one delivery each, and update each once after a change', async () => {
    // conf: 600 people of t1 and t2 (t1-0 is in both); all: those 600 and t3's 20.
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 600 + 620, updated: 0 });
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 0, updated: 0 });
    expect(await perPerson('invite:conf:')).toEqual({ rows: 600, people: 600 });
    expect(await perPerson('invite:all:')).toEqual({ rows: 620, people: 620 });
    const invitations = await db.db.selectFrom('invitations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(invitations.n)).toBe(1220);
    // Sent (an invitation still waiting would be brought up to date instead of updated).
    await db.db.updateTable('deliveries').set({ state: 'sent', sent_at: clock.now() }).where('kind', '=', 'invitation').execute();

    await db.db.updateTable('activities').set((eb) => ({ sequence: eb('sequence', '+', 1), location: 'Łódź, ul. Nowa 1' })).where('id', '=', 'conf').execute();
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 0, updated: 600 });
    expect(await planInvitations(db.db, clock)).toEqual({ invited: 0, updated: 0 });
    expect(await perPerson('invite:conf:')).toEqual({ rows: 1200, people: 600 });
  }, 120_000);
});
