import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { quietHoursColumns } from '../reminders/quiet-hours.js';
import { invitationDueAt, personTimingColumns, type InvitationTiming } from './invitation-timing.js';
import { BatchSizer, forEachSliced } from '../time-slices.js';

/** What an invitation row carries; rendered when sent (invitation-message.ts), as the activity is then. */
export interface InvitationRef {
  [key: string]: string;
  type: 'invitation';
  activityId: string;
  personId: string;
  sequence: string;
  /** '1' when the person was invited before: an update or a cancellation. */
  update: string;
}

export const invitationKey = (activityId: string, personId: number, sequence: number) => `invite:${activityId}:${personId}:${sequence}`;

/**
 * Brings invitations in line with the activities: everyone in an open activity's audience who
 * has not been invited is invited (new activities, new members, a widened audience), and
 * everyone invited to an activity whose SEQUENCE rose since gets the update or the
 * cancellation. Idempotent (one delivery per activity, person and sequence). An invitation is
 * not urgent: one planned in the person's quiet hours (their team's local time) waits for their
 * end, unless the RSVP deadline (or the activity) would pass first (invitation-timing.ts).
 *
 * Set-based, in batches sized by time (time-slices.ts): a national conference invites thousands,
 * and on PGlite one statement for all of them held the service's only thread for seconds
 * (docs/benchmarks.md, "A national week"). Each batch is one transaction, so an invitation is
 * never recorded without its message; a batch that fails leaves the rest for the next run.
 */
export async function planInvitations(db: Kysely<Database>, clock: Clock): Promise<{ invited: number; updated: number }> {
  const now = clock.now();
  const dueAt = invitationDueAt(now);
  const sizer = new BatchSizer(FIRST_BATCH, MIN_BATCH, MAX_BATCH, BATCH_MS);
  let invited = 0;
  const open = await db.selectFrom('activities').select('id').where('cancelled_at', 'is', null).where('starts_at', '>', now).orderBy('id').execute();
  for (const { id } of open) {
    // By person id, each batch after the last one's: a batch never looks again at those done.
    for (let after = 0; ; ) {
      const size = sizer.next;
      const fresh = await sizer.timed((size) => db.transaction().execute(async (trx) => {
        const found = await sql<Candidate>`
          select f.*, coalesce(t.timezone, f.activity_zone) as zone, ${quietHoursColumns}
          from (
            select a.id as activity_id, a.sequence, m.person_id, min(m.team_id) as team_id, p.channels, a.starts_at as expires,
              a.starts_at, a.rsvp_by, a.timezone as activity_zone
            from activities a
            join memberships m on m.removed_at is null and m.person_id > ${after}
              and (a.audience_all or exists (select 1 from activity_audience aa where aa.activity_id = a.id and aa.team_id = m.team_id))
            join teams t on t.id = m.team_id and t.removed_at is null
            join people p on p.id = m.person_id and p.removed_at is null
            where a.id = ${id} and a.cancelled_at is null and a.starts_at > ${now}
              and not exists (select 1 from invitations i where i.activity_id = a.id and i.person_id = m.person_id)
            group by a.id, a.sequence, m.person_id, p.channels, a.starts_at
            order by m.person_id
            limit ${size}
          ) f
          left join teams t on t.id = f.team_id
          left join preferences q on q.person_id = f.person_id
          order by f.person_id`.execute(trx);
        if (found.rows.length === 0) return found.rows;
        await trx
          .insertInto('invitations')
          .values(found.rows.map((r) => ({ activity_id: r.activity_id, person_id: r.person_id, sequence: r.sequence, invited_at: now })))
          .execute();
        const planned: PlannedDelivery[] = [];
        // Each person's due time (quiet hours in their zone) is real work: done in slices.
        await forEachSliced(found.rows, (r) => void planned.push(delivery(r, dueAt(r), '0')));
        await enqueue(trx, planned);
        return found.rows;
      }), (rows) => rows.length);
      invited += fresh.length;
      if (fresh.length < size) break;
      after = fresh[fresh.length - 1]!.person_id;
    }
  }

  // Moved, re-described or cancelled since the person last heard: tell everyone invited. A row
  // updated no longer matches, so each batch takes the next ones.
  let updated = 0;
  for (;;) {
    const size = sizer.next;
    const changed = await sizer.timed((size) => db.transaction().execute(async (trx) => {
      const rows = await sql<Candidate>`
        update invitations i set sequence = a.sequence
        from activities a, people p
        left join preferences q on q.person_id = p.id
        where a.id = i.activity_id and p.id = i.person_id and p.removed_at is null
          and i.sequence < a.sequence and a.ends_at > ${now}
          and (i.activity_id, i.person_id) in (
            select j.activity_id, j.person_id from invitations j join activities b on b.id = j.activity_id
            join people r on r.id = j.person_id and r.removed_at is null
            where j.sequence < b.sequence and b.ends_at > ${now}
            limit ${size})
        returning i.activity_id, a.sequence, i.person_id, null as team_id, p.channels, a.ends_at as expires, a.starts_at, a.rsvp_by, a.timezone as activity_zone,
          ${personTimingColumns(sql.ref('i.person_id'), sql.ref('a.timezone'))}`.execute(trx);
      const planned: PlannedDelivery[] = [];
      await forEachSliced(rows.rows, (r) => void planned.push(delivery(r, dueAt(r), '1')));
      await enqueue(trx, planned);
      return rows.rows;
    }), (rows) => rows.length);
    updated += changed.length;
    if (changed.length < size) break;
  }
  return { invited, updated };
}

/** Batches of people, sized so that one takes about BATCH_MS (a batch is three statements and its due times). */
const FIRST_BATCH = 250;
const MIN_BATCH = 25;
const MAX_BATCH = 5000;
const BATCH_MS = 30;

interface Candidate extends InvitationTiming {
  activity_id: string;
  sequence: number;
  person_id: number;
  team_id: string | null;
  channels: unknown;
  expires: Date;
}

function delivery(r: Candidate, dueAt: Date, update: string): PlannedDelivery {
  const ref: InvitationRef = { type: 'invitation', activityId: r.activity_id, personId: String(r.person_id), sequence: String(r.sequence), update };
  const channels = (typeof r.channels === 'string' ? JSON.parse(r.channels) : r.channels) as ChannelKind[];
  return {
    key: invitationKey(r.activity_id, r.person_id, r.sequence),
    kind: 'invitation',
    personId: r.person_id,
    ...(r.team_id ? { teamId: r.team_id } : {}),
    channels,
    payload: ref,
    dueAt,
    expiresAt: new Date(r.expires),
  };
}
