import type { Kysely } from 'kysely';
import { currentDataVersion } from '../db/data-version-watch.js';
import type { Database, DeliveryRow } from '../db/tables.js';
import { loadTeams, type TeamWithSeries } from '../feeds/feed-data.js';
import type { RenderBatch } from './batch-context.js';

/** What a batch's rows of one kind about a team's meeting (check-ins, attendance summaries) are rendered from. */
export interface TeamsOfBatch {
  teams: Map<string, TeamWithSeries>;
  /** "team|person" of each current coordinator among the rows' people. */
  coordinators: Set<string>;
}

async function loadTeamsOfBatch(db: Kysely<Database>, rows: readonly DeliveryRow[], type: string): Promise<TeamsOfBatch> {
  const mine = rows.filter((r) => (r.payload as { type?: string }).type === type);
  const teamIds = [...new Set(mine.map((r) => (r.payload as { teamId: string }).teamId))];
  const people = [...new Set(mine.map((r) => r.person_id).filter((id): id is number => id !== null))];
  const out: TeamsOfBatch = { teams: new Map(), coordinators: new Set() };
  if (teamIds.length === 0) return out;
  for (const team of await loadTeams(db, teamIds)) out.teams.set(team.team.id, team);
  if (people.length > 0) {
    const coordinators = await db.selectFrom('memberships').select(['team_id', 'person_id']).where('team_id', 'in', teamIds).where('person_id', 'in', people).where('role', '=', 'coordinator').where('removed_at', 'is', null).execute();
    for (const m of coordinators) out.coordinators.add(`${m.team_id}|${m.person_id}`);
  }
  return out;
}

/**
 * The teams, and which of the rows' people coordinate them, that `row` (its payload of `type`
 * naming a `teamId`) is rendered from. Within a claimed batch, those of all the batch's rows of
 * that type: two statements for the batch, read again after each change of the data version
 * (RenderBatch.current), instead of two for each row. Alone, or should the batch's read fail,
 * the row's own (a failure then is its own, not the batch's).
 */
export async function teamsFor(db: Kysely<Database>, row: DeliveryRow, type: string, batch?: RenderBatch): Promise<TeamsOfBatch> {
  const shared = batch && (await batch.current(`teams-of-batch|${type}`, () => currentDataVersion(db), (rows) => loadTeamsOfBatch(db, rows, type)).catch(() => undefined));
  return shared ?? loadTeamsOfBatch(db, [row], type);
}
