import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { quietHoursColumns } from '../reminders/quiet-hours.js';
import { invitationDueAt, personTimingColumns, type InvitationTiming } from './invitation-timing.js';
import { forEachChunk, forEachSliced } from '../time-slices.js';

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
 * cancellation. Idempotent (one delivery per activity, person and sequence), set-based so a
 * conference for 5,000 people is planned in one pass, and done in one transaction so an
 * invitation is never recorded without its message. An invitation is not urgent: one planned in
 * the person's quiet hours (their team's local time) waits for their end, unless the RSVP
 * deadline (or the activity) would pass first (invitation-timing.ts).
 */
export async function planInvitations(db: Kysely<Database>, clock: Clock): Promise<{ invited: number; updated: number }> {
  return db.transaction().execute(async (trx) => {
    const now = clock.now();
    const fresh = await sql<Candidate>`
      select f.*, coalesce(t.timezone, f.activity_zone) as zone, ${quietHoursColumns}
      from (
        select a.id as activity_id, a.sequence, m.person_id, min(m.team_id) as team_id, p.channels, a.starts_at as expires,
          a.starts_at, a.rsvp_by, a.timezone as activity_zone
        from activities a
        join memberships m on m.removed_at is null
          and (a.audience_all or exists (select 1 from activity_audience aa where aa.activity_id = a.id and aa.team_id = m.team_id))
        join teams t on t.id = m.team_id and t.removed_at is null
        join people p on p.id = m.person_id and p.removed_at is null
        where a.cancelled_at is null and a.starts_at > ${now}
          and not exists (select 1 from invitations i where i.activity_id = a.id and i.person_id = m.person_id)
        group by a.id, a.sequence, m.person_id, p.channels, a.starts_at
      ) f
      left join teams t on t.id = f.team_id
      left join preferences q on q.person_id = f.person_id`.execute(trx);
    const planned: PlannedDelivery[] = [];
    // Chunks sized by time, not 5,000 rows a statement: 200 ms of PGlite's thread (time-slices.ts).
    await forEachChunk(fresh.rows, (rows) =>
      trx
        .insertInto('invitations')
        .values(rows.map((r) => ({ activity_id: r.activity_id, person_id: r.person_id, sequence: r.sequence, invited_at: now })))
        .execute(),
    );
    const dueAt = invitationDueAt(now);
    // Each person's due time (quiet hours in their zone) for 5,000 people is a good part of a
    // second of work: done in slices, so requests are answered meanwhile (time-slices.ts).
    await forEachSliced(fresh.rows, (r) => void planned.push(delivery(r, dueAt(r), '0')));

    // Moved, re-described or cancelled since the person last heard: tell everyone invited.
    const changed = await sql<Candidate>`
      update invitations i set sequence = a.sequence
      from activities a, people p
      left join preferences q on q.person_id = p.id
      where a.id = i.activity_id and p.id = i.person_id and p.removed_at is null
        and i.sequence < a.sequence and a.ends_at > ${now}
      returning i.activity_id, a.sequence, i.person_id, null as team_id, p.channels, a.ends_at as expires, a.starts_at, a.rsvp_by, a.timezone as activity_zone,
        ${personTimingColumns(sql.ref('i.person_id'), sql.ref('a.timezone'))}`.execute(trx);
    await forEachSliced(changed.rows, (r) => void planned.push(delivery(r, dueAt(r), '1')));
    await enqueue(trx, planned);
    return { invited: fresh.rows.length, updated: changed.rows.length };
  });
}

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
