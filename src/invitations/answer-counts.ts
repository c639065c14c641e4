import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';

/** How many invited people answered what: one bucket for an activity, a team or an institution. */
export type AnswerCounts = { invited: number; accepted: number; declined: number; maybe: number; waiting: number; lapsed: number; none: number };

export interface ActivityAnswers {
  id: string;
  title: string;
  all: AnswerCounts;
  /** By the person's first team, then by institution; '—' where there is none. In first-seen order. */
  teams: Map<string, AnswerCounts>;
  institutions: Map<string, AnswerCounts>;
}

const empty = (): AnswerCounts => ({ invited: 0, accepted: 0, declined: 0, maybe: 0, waiting: 0, lapsed: 0, none: 0 });

/**
 * The RCPS view of the answers to every upcoming activity, counted by team and by institution:
 * the same numbers for the chat answer of `warsztaty` and for its page on the web.
 */
export async function activityAnswers(db: Kysely<Database>, after: Date): Promise<ActivityAnswers[]> {
  const rows = await answersByPerson(db, after);
  const byActivity = new Map<string, ActivityAnswers>();
  for (const r of rows) {
    const entry = byActivity.get(r.activity_id) ?? { id: r.activity_id, title: r.title, all: empty(), teams: new Map(), institutions: new Map() };
    byActivity.set(r.activity_id, entry);
    // Off the list after an unanswered offer: counted apart, their answer stays what they said.
    const key = (r.answer === 'waiting' && r.offer_lapsed_at ? 'lapsed' : (r.answer ?? 'none')) as keyof AnswerCounts;
    for (const bucket of [entry.all, get(entry.teams, r.team_name ?? '—'), get(entry.institutions, r.institution ?? '—')]) {
      bucket.invited++;
      bucket[key]++;
    }
  }
  return [...byActivity.values()];
}

function get(map: Map<string, AnswerCounts>, key: string): AnswerCounts {
  if (!map.has(key)) map.set(key, empty());
  return map.get(key)!;
}

/** One row per invited person of each upcoming activity, with their answer, first team and institution. */
export async function answersByPerson(db: Kysely<Database>, after: Date) {
  return db
    .selectFrom('invitations')
    .innerJoin('activities', 'activities.id', 'invitations.activity_id')
    .innerJoin('people', 'people.id', 'invitations.person_id')
    .leftJoin('rsvps', (j) => j.onRef('rsvps.activity_id', '=', 'invitations.activity_id').onRef('rsvps.person_id', '=', 'invitations.person_id'))
    .select((eb) => [
      'activities.id as activity_id',
      'activities.title',
      'people.institution',
      'rsvps.answer',
      'invitations.offer_lapsed_at',
      eb
        .selectFrom('memberships')
        .innerJoin('teams', 'teams.id', 'memberships.team_id')
        .select((e) => e.fn.min('teams.name').as('n'))
        .whereRef('memberships.person_id', '=', 'people.id')
        .where('memberships.removed_at', 'is', null)
        .as('team_name'),
    ])
    .where('activities.starts_at', '>', after)
    .where('activities.cancelled_at', 'is', null)
    .orderBy('activities.starts_at')
    .orderBy('people.institution')
    .execute();
}
