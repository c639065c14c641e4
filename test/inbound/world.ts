import type { Kysely } from 'kysely';
import { FixedClock } from '../../src/clock.js';
import type { Database } from '../../src/db/tables.js';
import { createLogger } from '../../src/log.js';
import { planInvitations } from '../../src/invitations/plan-invitations.js';
import { createInboundMailSink, type InboundDeps } from '../../src/inbound/receive-mail.js';
import { replyAddress } from '../../src/inbound/reply-address.js';
import type { InboundEnvelope, InboundMailSink } from '../../src/ports/inbound-mail.port.js';
import type { DnsResolver } from '../../src/inbound/sender-check.js';
import { importFixture, personId } from '../invitations/support.js';

export const SECRET = 's'.repeat(40);
export const MAIL_FROM = 'Kooperator RCPS <kooperator@rcps.example.org>';
export const WORKSHOP = 'warsztaty-2027-1';
export const WORKSHOP_UID = `activity-${WORKSHOP}@kooperator`;
export const WORKSHOP_TITLE = 'Warsztaty kooperacyjne (wyjazdowe)';
export const START = '2027-02-01T09:00:00Z';

/** A resolver that knows nothing: every lookup is "no such name" (DNS at the network edge). */
export const emptyResolver: DnsResolver = async (name) => {
  throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};

export const smtpEnvelope = (rcptTo: string[] = [], extra: Partial<InboundEnvelope> = {}): InboundEnvelope => ({ transport: 'smtp', rcptTo, remoteAddress: '192.0.2.10', helo: 'mx.example.net', ...extra });

export function sinkFor(db: Kysely<Database>, clock: FixedClock, extra: Partial<InboundDeps> = {}): InboundMailSink {
  return createInboundMailSink({ db, clock, secret: SECRET, mailFrom: MAIL_FROM, log: createLogger('silent'), resolver: emptyResolver, ...extra });
}

/** The invitations planned (one delivery per person), as the service does before anyone answers. */
export async function invite(db: Kysely<Database>, clock: FixedClock): Promise<void> {
  await importFixture(db, clock);
  await planInvitations(db, clock);
}

/** The signed reply address of the newest delivery of this kind to this person. */
export async function addressOf(db: Kysely<Database>, email: string, keyPrefix: string): Promise<string> {
  const id = await personId(db, email);
  const row = await db.selectFrom('deliveries').select('id').where('person_id', '=', id).where('dedupe_key', 'like', `${keyPrefix}%`).orderBy('id', 'desc').executeTakeFirstOrThrow();
  return replyAddress(SECRET, MAIL_FROM, { deliveryId: Number(row.id), personId: id });
}

export async function rsvpOf(db: Kysely<Database>, email: string, activityId = WORKSHOP): Promise<string | undefined> {
  const id = await personId(db, email);
  return (await db.selectFrom('rsvps').select('answer').where('activity_id', '=', activityId).where('person_id', '=', id).executeTakeFirst())?.answer;
}

/** Messages queued by inbound mail (their keys begin inbound:), with whom they go to. */
export async function inboundRows(db: Kysely<Database>) {
  return db
    .selectFrom('deliveries')
    .leftJoin('people', 'people.id', 'deliveries.person_id')
    .select(['deliveries.dedupe_key', 'deliveries.kind', 'people.email', 'deliveries.payload', 'deliveries.channels'])
    .where('deliveries.dedupe_key', 'like', 'inbound:%')
    .orderBy('deliveries.id')
    .execute();
}

export { personId };
