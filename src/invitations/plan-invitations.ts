import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { notClaimedNow } from '../delivery/claims.js';
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
 * cancellation, or, when their earlier message still waits unsent, that one brought up to date
 * (settleWaiting). Idempotent (one delivery per activity, person and sequence). An invitation is
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
      const rows = await sql<Candidate & { cancelled: boolean }>`
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
          a.cancelled_at is not null as cancelled,
          ${personTimingColumns(sql.ref('i.person_id'), sql.ref('a.timezone'))}`.execute(trx);
      // Whoever still waits for an earlier message about the activity gets that one, up to date.
      const settled = await settleWaiting(trx, rows.rows, now);
      const planned: PlannedDelivery[] = [];
      await forEachSliced(rows.rows, (r) => void (settled.has(`${r.activity_id}:${r.person_id}`) || planned.push(delivery(r, dueAt(r), '1'))));
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

/** Why a waiting first invitation of a cancelled activity is not sent (deliveries.last_error). */
export const CANCELLED_UNSENT = 'the activity was cancelled before its invitation was sent';
/** Why a waiting message about an activity is not sent when an older one waiting is brought up to date instead. */
export const SUPERSEDED = 'superseded by an earlier message about the activity, brought up to date';

/**
 * For an activity changed since these people last heard (their `invitations` row just moved to
 * the new sequence, in the same transaction): whoever's earlier message about it (the first
 * invitation or an update) still waits in the outbox, not claimed now (notClaimedNow), gets
 * that message, brought up to date, instead of a second one. An update planned beside a
 * waiting first invitation would be time-bound and overtake it, bulk ("Zmiana" before
 * "Zaproszenie", then both: docs/delivery-engine.md, "Order within a lane"). The oldest
 * waiting row keeps its kind of message (a first invitation stays one, `update` '0'), its due
 * time, channels and id (an e-mail's reply address names it), and takes the new sequence, in
 * its payload and its key, and the expiry of its kind: the message is rendered from the
 * activity as it is when sent (invitation-message.ts), iTIP SEQUENCE included. A cancelled
 * activity's waiting first invitation is cancelled: the person never heard of it, so no
 * cancellation is sent either. Any other row still waiting for the same person and activity
 * (an update planned while the first invitation was being sent, which then failed and waits
 * for its retry) says nothing more and is cancelled. A row claimed now is being sent: it is
 * left alone, and the person gets the update as before. Returns the `${activityId}:${personId}`
 * settled so: no update is planned for them.
 */
async function settleWaiting(trx: Kysely<Database>, changed: (Candidate & { cancelled: boolean })[], now: Date): Promise<Set<string>> {
  const settled = new Set<string>();
  if (changed.length === 0) return settled;
  const byPair = new Map(changed.map((r) => [`${r.activity_id}:${r.person_id}`, r]));
  const { rows: waiting } = await sql<{ id: number; activity_id: string; person_id: number; update: string | null }>`
    select d.id, d.payload ->> 'activityId' as activity_id, d.person_id, d.payload ->> 'update' as update
    from deliveries d
    join unnest(${changed.map((r) => r.activity_id)}::text[], ${changed.map((r) => r.person_id)}::bigint[]) as c(activity_id, person_id)
      on d.person_id = c.person_id and (d.payload ->> 'activityId') = c.activity_id
    where d.kind = 'invitation' and d.state = 'pending' and (d.payload ->> 'type') = 'invitation' and ${notClaimedNow('d.id')}
    order by d.id`.execute(trx);
  if (waiting.length === 0) return settled;
  const refreshed: { id: number; key: string; sequence: string; expires: Date }[] = [];
  const cancelled: { id: number; why: string }[] = [];
  const seen = new Set<string>();
  for (const w of waiting) {
    const pair = `${w.activity_id}:${w.person_id}`;
    const r = byPair.get(pair)!;
    if (seen.has(pair)) cancelled.push({ id: Number(w.id), why: SUPERSEDED });
    else if (r.cancelled && w.update !== '1') cancelled.push({ id: Number(w.id), why: CANCELLED_UNSENT });
    else {
      // A first invitation lasts until the activity starts, an update or cancellation until it ends (as planned).
      const expires = w.update === '1' ? r.expires : r.starts_at;
      refreshed.push({ id: Number(w.id), key: invitationKey(r.activity_id, r.person_id, r.sequence), sequence: String(r.sequence), expires: new Date(expires) });
    }
    seen.add(pair);
  }
  // Each statement checks the claim again: a row claimed since the read is left alone, and its person gets the update.
  const done: { activity_id: string; person_id: number }[] = [];
  if (refreshed.length > 0) {
    const { rows } = await sql<{ activity_id: string; person_id: number }>`
      update deliveries d set dedupe_key = u.key, payload = jsonb_set(d.payload, '{sequence}', to_jsonb(u.sequence)), expires_at = u.expires, updated_at = ${now}
      from unnest(${refreshed.map((r) => r.id)}::bigint[], ${refreshed.map((r) => r.key)}::text[], ${refreshed.map((r) => r.sequence)}::text[],
        ${refreshed.map((r) => r.expires.toISOString())}::timestamptz[]) as u(id, key, sequence, expires)
      where d.id = u.id and d.state = 'pending' and ${notClaimedNow('d.id')}
        and not exists (select 1 from deliveries k where k.dedupe_key = u.key)
      returning d.payload ->> 'activityId' as activity_id, d.person_id`.execute(trx);
    done.push(...rows);
  }
  if (cancelled.length > 0) {
    const { rows } = await sql<{ activity_id: string; person_id: number; last_error: string }>`
      update deliveries d set state = 'cancelled', last_error = u.why, updated_at = ${now}
      from unnest(${cancelled.map((r) => r.id)}::bigint[], ${cancelled.map((r) => r.why)}::text[]) as u(id, why)
      where d.id = u.id and d.state = 'pending' and ${notClaimedNow('d.id')}
      returning d.payload ->> 'activityId' as activity_id, d.person_id, d.last_error`.execute(trx);
    // A superseded row cancelled settles nothing by itself: the one brought up to date does.
    done.push(...rows.filter((r) => r.last_error === CANCELLED_UNSENT));
  }
  for (const d of done) settled.add(`${d.activity_id}:${d.person_id}`);
  return settled;
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
