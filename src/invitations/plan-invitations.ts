import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { DEFAULT_QUIET_HOURS, outsideQuietHours } from '../reminders/quiet-hours.js';
import { rsvpClosesAt } from './rsvp.js';

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
 * deadline (or the activity) would pass first.
 */
export async function planInvitations(db: Kysely<Database>, clock: Clock): Promise<{ invited: number; updated: number }> {
  return db.transaction().execute(async (trx) => {
    const now = clock.now();
    const fresh = await sql<Candidate>`
      select f.*, coalesce(t.timezone, f.activity_zone) as zone,
        coalesce(q.quiet_from, ${DEFAULT_QUIET_HOURS.from}) as quiet_from, coalesce(q.quiet_to, ${DEFAULT_QUIET_HOURS.to}) as quiet_to
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
    for (let i = 0; i < fresh.rows.length; i += 5000) {
      const rows = fresh.rows.slice(i, i + 5000);
      await trx
        .insertInto('invitations')
        .values(rows.map((r) => ({ activity_id: r.activity_id, person_id: r.person_id, sequence: r.sequence, invited_at: now })))
        .execute();
    }
    const dueAt = quietHoursAware(now);
    for (const r of fresh.rows) planned.push(delivery(r, dueAt(r), '0'));

    // Moved, re-described or cancelled since the person last heard: tell everyone invited.
    const changed = await sql<Candidate>`
      update invitations i set sequence = a.sequence
      from activities a, people p
      left join preferences q on q.person_id = p.id
      where a.id = i.activity_id and p.id = i.person_id and p.removed_at is null
        and i.sequence < a.sequence and a.ends_at > ${now}
      returning i.activity_id, a.sequence, i.person_id, null as team_id, p.channels, a.ends_at as expires, a.starts_at, a.rsvp_by, a.timezone as activity_zone,
        coalesce((select t.timezone from memberships m join teams t on t.id = m.team_id
          where m.person_id = i.person_id and m.removed_at is null order by m.team_id limit 1), a.timezone) as zone,
        coalesce(q.quiet_from, ${DEFAULT_QUIET_HOURS.from}) as quiet_from, coalesce(q.quiet_to, ${DEFAULT_QUIET_HOURS.to}) as quiet_to`.execute(trx);
    for (const r of changed.rows) planned.push(delivery(r, dueAt(r), '1'));
    await enqueue(trx, planned);
    return { invited: fresh.rows.length, updated: changed.rows.length };
  });
}

interface Candidate {
  activity_id: string;
  sequence: number;
  person_id: number;
  team_id: string | null;
  channels: unknown;
  expires: Date;
  starts_at: Date;
  rsvp_by: string | null;
  activity_zone: string;
  /** The person's local zone: their (first) team's, else the activity's. */
  zone: string;
  quiet_from: number;
  quiet_to: number;
}

/**
 * When to send, planned at `now`: at once, or at the end of the person's quiet hours if the
 * answers are still open then (the activity has not begun and its RSVP deadline has not passed).
 * Answers already closed leave only the activity itself as the limit. Thousands of people share
 * a zone, quiet hours and deadline, so each combination is computed once.
 */
function quietHoursAware(now: Date): (r: Candidate) => Date {
  const memo = new Map<string, Date>();
  return (r) => {
    const starts = new Date(r.starts_at);
    const closes = r.rsvp_by ? rsvpClosesAt({ rsvp_by: r.rsvp_by, timezone: r.activity_zone }) : undefined;
    const limit = closes && closes > now && closes < starts ? closes : starts;
    const key = `${r.zone}|${r.quiet_from}|${r.quiet_to}|${limit.getTime()}`;
    let due = memo.get(key);
    if (!due) memo.set(key, (due = outsideQuietHours(now, limit, r.zone, { from: Number(r.quiet_from), to: Number(r.quiet_to) })));
    return due;
  };
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
