import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../db/tables.js';
import { toCsv } from './csv.js';

const ZONE = 'Europe/Warsaw';
const polish = (at: Date) => DateTime.fromJSDate(new Date(at), { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm');
const ANSWERS: Record<string, string> = { accepted: 'weźmie udział', declined: 'nie weźmie udziału', maybe: 'może', waiting: 'lista rezerwowa' };

/**
 * `export attendance --from D --to D`: per activity starting in the range (Polish dates, both
 * inclusive) and invited person: name, institution, team, answer, answered at (Polish time), and
 * a seat offer from the waiting list: held until, or lapsed at. The answer is only ever what the
 * person said; an offer that lapsed unanswered is shown as such, never as a decline.
 */
/** An offer whose time ran out is lapsed, whether or not the sweep has recorded it yet. */
function offerState(expires: Date | null, lapsed: Date | null, now: Date): string | null {
  if (expires && new Date(expires).getTime() > now.getTime()) return `do ${polish(expires)}`;
  const at = lapsed ?? expires;
  return at ? `wygasła ${polish(at)}` : null;
}

export async function exportAttendance(db: Kysely<Database>, range: { from: string; to: string; now: Date }): Promise<string> {
  const from = DateTime.fromISO(range.from, { zone: ZONE }).startOf('day').toJSDate();
  const to = DateTime.fromISO(range.to, { zone: ZONE }).endOf('day').toJSDate();
  const rows = await db
    .selectFrom('invitations')
    .innerJoin('activities', 'activities.id', 'invitations.activity_id')
    .innerJoin('people', 'people.id', 'invitations.person_id')
    .leftJoin('rsvps', (j) => j.onRef('rsvps.activity_id', '=', 'invitations.activity_id').onRef('rsvps.person_id', '=', 'invitations.person_id'))
    .select((eb) => [
      'activities.id',
      'activities.title',
      'activities.starts_local',
      'people.name',
      'people.institution',
      'rsvps.answer',
      'rsvps.answered_at',
      'invitations.offer_expires_at',
      'invitations.offer_lapsed_at',
      eb
        .selectFrom('memberships')
        .innerJoin('teams', 'teams.id', 'memberships.team_id')
        .select((e) => e.fn.min('teams.name').as('n'))
        .whereRef('memberships.person_id', '=', 'people.id')
        .as('team'),
    ])
    .where('activities.starts_at', '>=', from)
    .where('activities.starts_at', '<=', to)
    .orderBy('activities.starts_at')
    .orderBy('activities.id')
    .orderBy('people.name')
    .execute();
  return toCsv(
    ['wydarzenie', 'tytuł', 'początek', 'imię i nazwisko', 'instytucja', 'zespół', 'odpowiedź', 'data odpowiedzi', 'oferta miejsca'],
    rows.map((r) => [
      r.id,
      r.title,
      r.starts_local.replace('T', ' '),
      r.name,
      r.institution,
      r.team,
      r.answer ? ANSWERS[r.answer] : 'brak odpowiedzi',
      r.answered_at ? polish(r.answered_at) : null,
      offerState(r.offer_expires_at, r.offer_lapsed_at, range.now),
    ]),
  );
}
