import { sql, type Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { ActivityRow, Database, DeliveryRow } from '../db/tables.js';
import { enqueue, type PlannedDelivery } from '../delivery/outbox.js';
import { formatDate } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import { proofMessages } from '../i18n/proof-messages.js';
import type { ChannelKind, Message } from '../ports/channel.port.js';
import { activityDays, minutesOn } from './activity-days.js';
import { certificateDownloadUrl, CERTIFICATE_LINK_DAYS } from './certificate-links.js';

/** Kinds of activity a zaświadczenie o udziale is given for (the funder counts training hours). */
export const CERTIFIED_KINDS: ReadonlyArray<ActivityRow['kind']> = ['training', 'workshop'];

/** What a certificate delivery carries: rendered for its one person when sent (never shared). */
export interface CertificateRef {
  [key: string]: string;
  type: 'certificate';
  certificateId: string;
  personId: string;
}

/** "ZU/2027/000042": the year of first issue and the record's id. */
export const certificateNumber = (id: number, issuedAt: Date) => `ZU/${DateTime.fromJSDate(issuedAt, { zone: 'Europe/Warsaw' }).year}/${String(id).padStart(6, '0')}`;

/** A training or workshop the person was present at on at least one day, with those days. */
export interface Attended {
  activity: ActivityRow;
  days: string[];
}

/** Trainings and workshops (not cancelled) with the person's presence recorded, newest first. */
export async function attendedActivities(db: Kysely<Database>, personId: number, activityId?: string): Promise<Attended[]> {
  let query = db
    .selectFrom('attendance')
    .innerJoin('activities', 'activities.id', 'attendance.ref_id')
    .selectAll('activities')
    .select('attendance.day')
    .where('attendance.kind', '=', 'activity')
    .where('attendance.person_id', '=', personId)
    .where('attendance.present', '=', true)
    .where('activities.kind', 'in', CERTIFIED_KINDS)
    .where('activities.cancelled_at', 'is', null)
    .orderBy('activities.starts_at', 'desc')
    .orderBy('attendance.day');
  if (activityId) query = query.where('activities.id', '=', activityId);
  const found = new Map<string, Attended>();
  for (const { day, ...activity } of await query.execute()) {
    const known = found.get(activity.id) ?? { activity, days: [] };
    // Only days the activity has: a mark left on a day it no longer runs (moved since) is not certified.
    if (activityDays(activity).some((d) => d.day === day)) known.days.push(day);
    found.set(activity.id, known);
  }
  return [...found.values()].filter((a) => a.days.length > 0);
}

/**
 * The person's certificate for the activity, issued now or as issued before (same number and
 * verification link), with what it certifies brought up to date with presence as recorded now.
 */
export async function issueCertificate(trx: Kysely<Database>, personId: number, attended: Attended, now: Date) {
  const days = JSON.stringify([...attended.days].sort());
  const minutes = minutesOn(activityDays(attended.activity), new Set(attended.days));
  const known = await trx.selectFrom('certificates').selectAll().where('person_id', '=', personId).where('activity_id', '=', attended.activity.id).executeTakeFirst();
  if (known) {
    if (known.days === days && known.minutes === minutes) return known;
    return trx.updateTable('certificates').set({ days, minutes, updated_at: now }).where('id', '=', known.id).returningAll().executeTakeFirstOrThrow();
  }
  // The number needs the id: draw it from the sequence first, then write both at once.
  const { rows } = await sql<{ id: number }>`select nextval(pg_get_serial_sequence('certificates', 'id'))::int as id`.execute(trx);
  const id = rows[0]!.id;
  const inserted = await trx
    .insertInto('certificates')
    .values({ id, number: certificateNumber(id, now), person_id: personId, activity_id: attended.activity.id, days, minutes, issued_at: now, updated_at: now })
    .onConflict((c) => c.columns(['person_id', 'activity_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  // Two requests at once: the other one's record stands.
  return inserted ?? trx.selectFrom('certificates').selectAll().where('person_id', '=', personId).where('activity_id', '=', attended.activity.id).executeTakeFirstOrThrow();
}

/**
 * Issues and sends certificates in one transaction with their outbox rows: one delivery per
 * person, each with the person's own download link. `request`: the person asked (every request
 * is sent, a double tap within the same minute once); `all`: RCPS's "send to everyone present",
 * which sends each person once however often it is pressed (a later press reaches only people
 * marked present since). People never present get nothing: only attendance marks choose them.
 */
export async function sendCertificates(
  db: Kysely<Database>,
  options: { activityId: string; personIds?: number[]; mode: 'request' | 'all'; now: Date },
): Promise<{ sent: number; certificates: { number: string; personId: number }[] }> {
  return db.transaction().execute(async (trx) => {
    let present = trx
      .selectFrom('attendance')
      .innerJoin('people', 'people.id', 'attendance.person_id')
      .select(['people.id', 'people.channels'])
      .distinct()
      .where('attendance.kind', '=', 'activity')
      .where('attendance.ref_id', '=', options.activityId)
      .where('attendance.present', '=', true)
      .where('people.removed_at', 'is', null);
    if (options.personIds) present = present.where('people.id', 'in', options.personIds.length ? options.personIds : [-1]);
    const people = await present.orderBy('people.id').execute();
    const planned: PlannedDelivery[] = [];
    const certificates: { number: string; personId: number }[] = [];
    const minute = options.now.toISOString().slice(0, 16);
    for (const person of people) {
      const [attended] = await attendedActivities(trx, person.id, options.activityId);
      if (!attended) continue;
      const certificate = await issueCertificate(trx, person.id, attended, options.now);
      certificates.push({ number: certificate.number, personId: person.id });
      const ref: CertificateRef = { type: 'certificate', certificateId: String(certificate.id), personId: String(person.id) };
      planned.push({
        key: options.mode === 'all' ? `certificate:${certificate.id}:all` : `certificate:${certificate.id}:request:${minute}`,
        kind: 'certificate',
        personId: person.id,
        channels: person.channels as ChannelKind[],
        payload: ref,
        dueAt: options.now,
        expiresAt: new Date(options.now.getTime() + CERTIFICATE_LINK_DAYS * 86_400_000),
      });
    }
    const sent = await enqueue(trx, planned);
    return { sent, certificates };
  });
}

/** The message with the download link, for the certificate's own person only, while the record exists. */
export async function renderCertificateMessage(db: Kysely<Database>, row: DeliveryRow, language: Language, publicUrl: string, secret: string | undefined): Promise<Message | undefined> {
  const ref = row.payload as CertificateRef;
  if (!secret) return undefined;
  const found = await db
    .selectFrom('certificates')
    .innerJoin('activities', 'activities.id', 'certificates.activity_id')
    .select(['certificates.id', 'certificates.number', 'certificates.person_id', 'activities.title'])
    .where('certificates.id', '=', Number(ref.certificateId))
    .executeTakeFirst();
  if (!found || found.person_id !== row.person_id || String(found.person_id) !== ref.personId) return undefined;
  const from = row.claimed_at ?? row.due_at;
  const url = certificateDownloadUrl(publicUrl, secret, found.person_id, found.id, from);
  const until = formatDate(DateTime.fromJSDate(new Date(from.getTime() + CERTIFICATE_LINK_DAYS * 86_400_000), { zone: 'Europe/Warsaw' }), language);
  const t = proofMessages[language];
  return { language, title: t.certificateTitle(found.title), text: t.certificateText(found.number, found.title, until), links: [{ label: t.certificateButton, url }] };
}
