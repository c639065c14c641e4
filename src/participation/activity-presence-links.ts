import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database, DeliveryRow } from '../db/tables.js';
import { formatDate } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import { activityPresenceMessages } from '../i18n/presence-messages.js';
import type { Message } from '../ports/channel.port.js';
import { signLink, verifyLink } from '../security/signed-links.js';
import { activityDayTimes, LATE_CHANGE_DAYS } from './presence-window.js';

/**
 * The signed links of an activity's presence (docs/participation.md, "Who came"):
 * - 'checkin-poster' (an RCPS person): the printable poster with the day's code and QR code;
 * - 'activity-presence' (an RCPS person): marking who came on one day;
 * - 'checkin-venue' (no person): the QR code's "Jestem" page, where people ask for their own link;
 * - 'checkin-self' (one invited person): one tap records their presence.
 * Staff links carry the viewer, whose role is checked again on every request.
 */
const STAFF_LINK_DAYS = 30;
const base = (publicUrl: string) => publicUrl.replace(/\/+$/, '');

export interface ActivityDayRef {
  activityId: string;
  day: string;
}

type Purpose = 'checkin-poster' | 'activity-presence' | 'checkin-venue' | 'checkin-self';
const PATHS: Record<Purpose, string> = { 'checkin-poster': 'checkin-poster', 'activity-presence': 'activity-presence', 'checkin-venue': 'jestem', 'checkin-self': 'jestem/ja' };

function link(publicUrl: string, secret: string, purpose: Purpose, subject: string, ref: ActivityDayRef, expiresAt: Date): string {
  return `${base(publicUrl)}/${PATHS[purpose]}/${signLink(secret, { purpose, subject, expiresAt, a: ref.activityId, d: ref.day })}`;
}

export const posterUrl = (publicUrl: string, secret: string, staffId: number, ref: ActivityDayRef, now: Date) =>
  link(publicUrl, secret, 'checkin-poster', String(staffId), ref, new Date(now.getTime() + STAFF_LINK_DAYS * 86_400_000));

export const activityPresenceUrl = (publicUrl: string, secret: string, staffId: number, ref: ActivityDayRef, now: Date) =>
  link(publicUrl, secret, 'activity-presence', String(staffId), ref, new Date(now.getTime() + STAFF_LINK_DAYS * 86_400_000 + LATE_CHANGE_DAYS * 86_400_000));

/** The QR code's page: works until the day ends (a poster left on the wall stops by itself). */
export const venueUrl = (publicUrl: string, secret: string, ref: ActivityDayRef, dayEnd: Date) => link(publicUrl, secret, 'checkin-venue', 'venue', ref, dayEnd);

export const selfCheckinUrl = (publicUrl: string, secret: string, personId: number, ref: ActivityDayRef, dayEnd: Date) =>
  link(publicUrl, secret, 'checkin-self', String(personId), ref, dayEnd);

export type ActivityLinkCheck = { ok: true; subject: string; ref: ActivityDayRef } | { ok: false; status: 404 | 410 };

export function checkActivityLink(secret: string, purpose: Purpose, token: string, now: Date): ActivityLinkCheck {
  const verified = verifyLink(secret, token, purpose, now);
  if (!verified.ok) return { ok: false, status: verified.reason === 'expired' ? 410 : 404 };
  const { subject, a, d } = verified.payload;
  if (typeof a !== 'string' || typeof d !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(d)) return { ok: false, status: 404 };
  return { ok: true, subject, ref: { activityId: a, day: d } };
}

/** What the outbox row of a personal check-in link carries; the link is signed when it is sent, never stored. */
export interface SelfCheckinRef {
  [key: string]: string;
  type: 'self_checkin';
  activityId: string;
  day: string;
  personId: string;
}

/** The personal one-tap link, sent to the person's own first channel; nothing once the day is over. */
export async function renderSelfCheckin(db: Kysely<Database>, row: DeliveryRow, ref: SelfCheckinRef, language: Language, publicUrl: string, secret?: string): Promise<Message | undefined> {
  if (!secret || Number(ref.personId) !== row.person_id) return undefined;
  const activity = await db.selectFrom('activities').selectAll().where('id', '=', ref.activityId).where('cancelled_at', 'is', null).executeTakeFirst();
  if (!activity) return undefined;
  const { end } = activityDayTimes(activity, ref.day);
  if (end.toMillis() <= (row.claimed_at ?? row.due_at).getTime()) return undefined;
  const t = activityPresenceMessages[language];
  const day = formatDate(DateTime.fromISO(ref.day, { zone: activity.timezone }), language);
  return {
    language,
    title: t.linkTitle,
    text: t.linkText(activity.title, day),
    links: [{ label: t.linkLabel, url: selfCheckinUrl(publicUrl, secret, row.person_id!, ref, end.toJSDate()) }],
  };
}
