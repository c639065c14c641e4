import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { membersAt } from './membership-periods.js';
import { meetingWindow } from './presence-window.js';

/** One line of a meeting's presence list. */
export interface RosterEntry {
  personId: number;
  name: string;
  institution: string | null;
  /** The member's own answer for this occurrence, when they gave one. */
  answer?: 'attending' | 'not_attending';
  /** For a substitute: the member they came for. */
  insteadOf?: string;
  /** Presence as recorded so far, when it was. */
  recorded?: boolean;
  /** Ticked when the list opens: as recorded, else the answers ("będę" or a named substitute); no answer → not ticked. */
  ticked: boolean;
}

/**
 * The presence list of one meeting occurrence: the members of the team at that occurrence (joined
 * before its end, not left before its start: a period of membership-periods.ts) by institution and name, each replaced by the
 * substitute they named for it (the substitute is the one who comes), plus anyone else with a
 * presence recorded for it (a substitute whose member came back after all: the list must reach
 * them to untick them). Pre-filled from what was recorded, else from the answers; nothing is
 * invented for a member who did not answer (not ticked). No such occurrence: an empty list.
 */
export async function meetingRoster(db: Kysely<Database>, teamId: string, date: string): Promise<RosterEntry[]> {
  const window = await meetingWindow(db, teamId, date);
  if (!window) return [];
  const members = await membersAt(db, teamId, window)
    .innerJoin('people', 'people.id', 'memberships.person_id')
    .select(['people.id', 'people.name', 'people.institution'])
    .where('people.removed_at', 'is', null)
    .execute();
  const answers = await db
    .selectFrom('meeting_answers')
    .leftJoin('people as sub', (j) => j.onRef('sub.id', '=', 'meeting_answers.substitute_person_id').on('sub.removed_at', 'is', null))
    .select(['meeting_answers.person_id', 'meeting_answers.answer', 'sub.id as sub_id', 'sub.name as sub_name', 'sub.institution as sub_institution'])
    .where('meeting_answers.team_id', '=', teamId)
    .where('meeting_answers.occurrence_date', '=', date)
    .execute();
  const recorded = new Map(
    (await db.selectFrom('attendance').select(['person_id', 'present']).where('kind', '=', 'meeting').where('ref_id', '=', teamId).where('day', '=', date).execute()).map((r) => [r.person_id, r.present]),
  );
  const answerOf = new Map(answers.map((a) => [a.person_id, a]));
  const entries = new Map<number, RosterEntry>();
  for (const m of members) {
    const a = answerOf.get(m.id);
    if (a?.sub_id != null && a.sub_name != null) {
      const was = recorded.get(a.sub_id);
      entries.set(a.sub_id, { personId: a.sub_id, name: a.sub_name, institution: a.sub_institution, insteadOf: m.name, ...(was !== undefined ? { recorded: was } : {}), ticked: was ?? true });
      continue;
    }
    if (entries.has(m.id)) continue;
    const was = recorded.get(m.id);
    entries.set(m.id, {
      personId: m.id,
      name: m.name,
      institution: m.institution,
      ...(a ? { answer: a.answer } : {}),
      ...(was !== undefined ? { recorded: was } : {}),
      ticked: was ?? a?.answer === 'attending',
    });
  }
  const others = [...recorded.keys()].filter((id) => !entries.has(id));
  if (others.length) {
    for (const p of await db.selectFrom('people').select(['id', 'name', 'institution']).where('id', 'in', others).where('removed_at', 'is', null).execute()) {
      const was = recorded.get(p.id)!;
      entries.set(p.id, { personId: p.id, name: p.name, institution: p.institution, recorded: was, ticked: was });
    }
  }
  return [...entries.values()].sort((x, y) => (x.institution ?? '').localeCompare(y.institution ?? '', 'pl') || x.name.localeCompare(y.name, 'pl'));
}
