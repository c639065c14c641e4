import { sql } from 'kysely';
import { chunk, changedFields } from './import-plan.js';
import type { ImportContext } from './import-context.js';
import { endPeriod, startPeriods, type MemberKey } from '../participation/membership-periods.js';

/**
 * People (members and staff, one row per e-mail) and their team memberships. A membership
 * that a file no longer lists is marked removed and recorded, never silently dropped.
 */
export async function importPeople(ctx: ImportContext): Promise<void> {
  const { trx, desired, now, summary } = ctx;
  const existing = new Map((await trx.selectFrom('people').selectAll().execute()).map((p) => [p.email, p]));

  const inserts = [];
  for (const [email, person] of desired.people) {
    const before = existing.get(email);
    // A file not in this import still owns what it said: its staff role, and being the source.
    const ownerAbsent = before !== undefined && !desired.sources.has(before.source);
    const values = {
      name: person.name,
      institution: person.institution,
      language: person.language,
      channels: person.channels,
      staff_role: person.staffRole ?? (ownerAbsent ? before.staff_role : null),
      source: ownerAbsent && !person.staffRole ? before.source : person.source,
      removed_at: null,
    };
    if (!before) {
      inserts.push({ email, ...values, channels: JSON.stringify(values.channels), created_at: now, updated_at: now });
      summary.people.added++;
    } else if (changedFields(before, values).length > 0) {
      await trx
        .updateTable('people')
        .set({ ...values, channels: JSON.stringify(values.channels), updated_at: now })
        .where('id', '=', before.id)
        .execute();
      summary.people.updated++;
    }
  }
  for (const rows of chunk(inserts)) await trx.insertInto('people').values(rows).execute();

  // Staff described by these files but no longer listed lose their staff role.
  for (const person of existing.values()) {
    if (person.staff_role && desired.sources.has(person.source) && !desired.people.get(person.email)?.staffRole) {
      await trx.updateTable('people').set({ staff_role: null, updated_at: now }).where('id', '=', person.id).execute();
      summary.people.updated++;
    }
  }
  await importMemberships(ctx);
}

async function importMemberships(ctx: ImportContext): Promise<void> {
  const { trx, desired, now, summary } = ctx;
  const ids = new Map((await trx.selectFrom('people').select(['id', 'email']).execute()).map((p) => [p.email, p.id]));
  // The teams of these files, removed ones included: a removed team's members leave it too.
  const sources = [...desired.sources];
  const existing = sources.length
    ? await trx
        .selectFrom('memberships')
        .selectAll()
        .where('team_id', 'in', (eb) => eb.selectFrom('teams').select('id').where('source', 'in', sources))
        .execute()
    : [];
  const current = new Map(existing.map((m) => [`${m.team_id} ${m.person_id}`, m]));
  const teamsBefore = new Set(existing.map((m) => m.team_id));
  // A team of the service gets a new coordinator: its check-ins are planned again at once (the
  // daily planning would miss a question due within the day, and the former one is not asked).
  const coordinatorChanged = (teamId: string, personId: number) => ctx.changes.push({ kind: 'member_role_changed', team_id: teamId, person_id: personId, details: '{}' });
  const wanted = new Set<string>();
  const inserts = [];
  // Memberships that begin now (new, or someone coming back): each gets a new period (membership-periods.ts).
  const starting: MemberKey[] = [];
  for (const person of desired.people.values()) {
    const personId = ids.get(person.email)!;
    for (const [teamId, role] of person.memberships) {
      const key = `${teamId} ${personId}`;
      wanted.add(key);
      const before = current.get(key);
      if (!before) {
        inserts.push({ team_id: teamId, person_id: personId, role, created_at: now, updated_at: now });
        starting.push({ team_id: teamId, person_id: personId });
        summary.memberships.added++;
        if (role === 'coordinator' && teamsBefore.has(teamId)) coordinatorChanged(teamId, personId);
      } else if (before.role !== role || before.removed_at) {
        if (before.role !== role) coordinatorChanged(teamId, personId);
        if (before.removed_at) starting.push({ team_id: teamId, person_id: personId });
        await trx
          .updateTable('memberships')
          .set({ role, removed_at: null, updated_at: now })
          .where('team_id', '=', teamId)
          .where('person_id', '=', personId)
          .execute();
        summary.memberships.updated++;
      }
    }
  }
  for (const rows of chunk(inserts)) await trx.insertInto('memberships').values(rows).execute();
  await startPeriods(trx, starting, now);

  for (const [key, m] of current) {
    if (wanted.has(key) || m.removed_at) continue;
    await trx
      .updateTable('memberships')
      .set({ removed_at: now, updated_at: now })
      .where('team_id', '=', m.team_id)
      .where('person_id', '=', m.person_id)
      .execute();
    await endPeriod(trx, m, now);
    ctx.changes.push({ kind: 'member_removed', team_id: m.team_id, person_id: m.person_id, details: '{}' });
    summary.memberships.removed++;
  }

  // Someone left with no team and no staff role is no longer a user of the service.
  const orphaned = await trx
    .updateTable('people')
    .set({ removed_at: now, updated_at: now })
    .where('removed_at', 'is', null)
    .where('staff_role', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('memberships').select(sql`1`.as('one')).whereRef('memberships.person_id', '=', 'people.id').where('memberships.removed_at', 'is', null))),
    )
    .executeTakeFirst();
  summary.people.removed += Number(orphaned.numUpdatedRows);
}
