import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { ActivityRow, Database, PersonRow } from '../db/tables.js';
import { enqueue } from '../delivery/outbox.js';
import { html, raw, sendPage, type SafeHtml } from '../http/html/layout.js';
import { sendBadLink } from '../http/me/bad-link-page.js';
import { readForm } from '../http/read-body.js';
import type { Route } from '../http/router.js';
import { sameOrigin } from '../http/same-origin.js';
import { formatDate, formatDateTime } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import { activityPresenceMessages, presenceMessages } from '../i18n/presence-messages.js';
import type { ChannelKind } from '../ports/channel.port.js';
import { checkActivityLink, venueUrl, type ActivityDayRef, type SelfCheckinRef } from './activity-presence-links.js';
import { hereAnswer } from './here-command.js';
import { markPresence, outsideWindow, type PresenceRefusal } from './presence.js';
import { refusalText } from './presence-checkin.js';
import { activityDays, activityDayTimes, activityDayWindow, SELF_CHECKIN_EARLY_MINUTES } from './presence-window.js';
import { codeFor, showCode } from './self-checkin.js';

export interface ActivityPresenceRoutesOptions {
  db: Kysely<Database>;
  clock: Clock;
  appSecret: string;
  publicUrl: string;
  /** A personal check-in link was put in the outbox: wake it. */
  queued?: () => void;
}

const TOKEN = '([A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+)';
const path = (prefix: string) => new RegExp(`^/${prefix}/${TOKEN}$`);

const POSTER_STYLE = raw(
  `<style>.code{font-size:min(18vw,9rem);font-weight:800;letter-spacing:.08em;text-align:center;margin:.5rem 0;font-family:ui-monospace,monospace}
.qr svg{width:min(70vw,18rem);height:auto;display:block;margin:0 auto}.big{font-size:1.4rem;text-align:center}
@media print{header.site,.skip{display:none}}</style>`,
);

/**
 * The pages of an activity's presence (docs/participation.md, "Who came"): the printable poster
 * and the marking page for RCPS staff, the QR code's "Jestem" page (the person gives their
 * e-mail and gets a one-tap link on their own first channel: a typed address is never trusted),
 * and that personal link (GET shows a button, POST records).
 */
export function activityPresenceRoutes(options: ActivityPresenceRoutesOptions): Route[] {
  return [
    { method: 'GET', path: path('checkin-poster'), name: 'checkin_poster', handler: (req, res, [token]) => poster(options, req, res, token!) },
    { method: 'GET', path: path('activity-presence'), name: 'activity_presence', handler: (req, res, [token]) => marking(options, req, res, token!, 'GET') },
    { method: 'POST', path: path('activity-presence'), name: 'activity_presence_submit', handler: (req, res, [token]) => marking(options, req, res, token!, 'POST') },
    { method: 'GET', path: path('jestem/ja'), name: 'checkin_self', handler: (req, res, [token]) => selfLink(options, req, res, token!, 'GET') },
    { method: 'POST', path: path('jestem/ja'), name: 'checkin_self_submit', handler: (req, res, [token]) => selfLink(options, req, res, token!, 'POST') },
    { method: 'GET', path: path('jestem'), name: 'checkin_venue', handler: (req, res, [token]) => venue(options, req, res, token!, 'GET') },
    { method: 'POST', path: path('jestem'), name: 'checkin_venue_submit', handler: (req, res, [token]) => venue(options, req, res, token!, 'POST') },
  ];
}

const activityOf = (db: Kysely<Database>, ref: ActivityDayRef) =>
  db.selectFrom('activities').selectAll().where('id', '=', ref.activityId).where('cancelled_at', 'is', null).executeTakeFirst();

const dayText = (activity: ActivityRow, day: string, language: Language) => formatDate(DateTime.fromISO(day, { zone: activity.timezone }), language);

const say = (res: ServerResponse, status: number, language: Language, title: string, text: string, ok = false) =>
  sendPage(res, status, { language, title, body: html`<p class="notice ${ok ? 'ok' : 'bad'}" role="${ok ? 'status' : 'alert'}">${text}</p>` });

/** A staff link: its person must still be RCPS staff (403 otherwise), its activity day must exist (404). */
async function openStaff(options: ActivityPresenceRoutesOptions, res: ServerResponse, purpose: 'checkin-poster' | 'activity-presence', token: string) {
  const link = checkActivityLink(options.appSecret, purpose, token, options.clock.now());
  if (!link.ok) return void sendBadLink(res, link.status, 'pl', 'form');
  const staff = await options.db.selectFrom('people').selectAll().where('id', '=', Number(link.subject)).where('removed_at', 'is', null).executeTakeFirst();
  if (!staff) return void sendBadLink(res, 410, 'pl', 'form');
  const t = activityPresenceMessages[staff.language];
  if (!staff.staff_role) return void say(res, 403, staff.language, presenceMessages[staff.language].refusedTitle, t.staffOnly);
  const activity = await activityOf(options.db, link.ref);
  if (!activity || !activityDays(activity).includes(link.ref.day)) return void say(res, 404, staff.language, presenceMessages[staff.language].refusedTitle, presenceMessages[staff.language].refusal.no_subject);
  return { staff, activity, ref: link.ref };
}

async function poster(options: ActivityPresenceRoutesOptions, _req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
  const opened = await openStaff(options, res, 'checkin-poster', token);
  if (!opened) return;
  const { staff, activity, ref } = opened;
  const language = staff.language;
  const t = activityPresenceMessages[language];
  const code = showCode(await codeFor(options.db, ref.activityId, ref.day));
  const { start, end } = activityDayTimes(activity, ref.day);
  // The QR code of the venue link; qrcode draws it as SVG paths, with nothing of ours inside but the URL's modules.
  // qrcode is loaded with the first poster: most services never print one (issue 17, memory).
  const { default: QRCode } = await import('qrcode');
  const svg = await QRCode.toString(venueUrl(options.publicUrl, options.appSecret, ref, end.toJSDate()), { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  sendPage(res, 200, {
    language,
    title: t.posterTitle(`${activity.title}, ${dayText(activity, ref.day, language)}`),
    body: html`${POSTER_STYLE}<p class="big">${t.posterHow}</p>
<p class="code" aria-label="${code.split('').join(' ')}">${language === 'pl' ? 'jestem' : 'here'} ${code}</p>
<p class="big">${t.posterOr}</p>
<div class="qr" role="img" aria-label="${t.posterQrLabel(code)}">${raw(svg)}</div>
<p class="big">${t.posterWhen(formatDateTime(start.minus({ minutes: SELF_CHECKIN_EARLY_MINUTES }), language), formatDateTime(end, language))}</p>`,
  });
}

/** Invited people of the activity, by institution and name, with what is recorded for the day. */
async function invitedWithPresence(db: Kysely<Database>, ref: ActivityDayRef) {
  const people = await db
    .selectFrom('invitations')
    .innerJoin('people', 'people.id', 'invitations.person_id')
    .leftJoin('attendance', (j) =>
      j.onRef('attendance.person_id', '=', 'people.id').on('attendance.kind', '=', 'activity').on('attendance.ref_id', '=', ref.activityId).on('attendance.day', '=', ref.day),
    )
    .select(['people.id', 'people.name', 'people.institution', 'attendance.present', 'attendance.method'])
    .where('invitations.activity_id', '=', ref.activityId)
    .where('people.removed_at', 'is', null)
    .execute();
  return people.sort((x, y) => (x.institution ?? '').localeCompare(y.institution ?? '', 'pl') || x.name.localeCompare(y.name, 'pl'));
}

/** RCPS marks who came on one day: GET shows the invited with boxes, POST records the changes (method staff, audited). */
async function marking(options: ActivityPresenceRoutesOptions, req: IncomingMessage, res: ServerResponse, token: string, method: 'GET' | 'POST'): Promise<void> {
  const opened = await openStaff(options, res, 'activity-presence', token);
  if (!opened) return;
  const { staff, activity, ref } = opened;
  const language = staff.language;
  const t = activityPresenceMessages[language];
  let notice: SafeHtml | string = '';
  if (method === 'POST') {
    if (!sameOrigin(req, options.publicUrl)) return say(res, 403, language, presenceMessages[language].refusedTitle, presenceMessages[language].crossSite);
    const form = await readForm(req, 64 * 1024);
    // The time rule holds even for a save that changes nothing (markPresence checks it per change).
    const window = activityDayWindow(activity, ref.day);
    const outside = window ? outsideWindow(window, 'staff', options.clock.now()) : 'no_subject';
    if (outside) return say(res, outside === 'too_late' ? 410 : 403, language, presenceMessages[language].refusedTitle, refusalText(language, outside));
    const invited = await invitedWithPresence(options.db, ref);
    const ticked = new Set(Object.keys(form).map((k) => /^p(\d{1,12})$/.exec(k)?.[1]).filter(Boolean).map(Number));
    const shown = new Set(Object.keys(form).map((k) => /^s(\d{1,12})$/.exec(k)?.[1]).filter(Boolean).map(Number));
    // All or nothing: a refusal part-way (the time ran out, the role went) rolls back what came before it.
    const refusal = await options.db
      .transaction()
      .execute(async (trx) => {
        let changes = 0;
        for (const p of invited) {
          // Only what RCPS changed on the page: each box is compared with what the page showed
          // (the hidden s<id> field), not with the database now, so a self check-in made while
          // the page was open is never turned into "absent". No s<id>: the box was shown unticked.
          const present = ticked.has(p.id);
          if (present === shown.has(p.id)) continue;
          const mark = { kind: 'activity', refId: ref.activityId, day: ref.day, personId: p.id, present, method: 'staff', markedBy: staff.id } as const;
          const result = await markPresence(trx, mark, options.clock);
          if (!result.ok) throw new Refused(result.reason);
          if (result.changed) changes++;
        }
        return { changes };
      })
      .catch((error: unknown) => {
        if (error instanceof Refused) return { reason: error.reason };
        throw error;
      });
    if ('reason' in refusal) return say(res, refusal.reason === 'too_late' ? 410 : 403, language, presenceMessages[language].refusedTitle, refusalText(language, refusal.reason));
    notice = html`<p class="notice ok" role="status">${t.saved((await invitedWithPresence(options.db, ref)).filter((p) => p.present).length, refusal.changes)}</p>`;
  }
  const invited = await invitedWithPresence(options.db, ref);
  const boxes = invited.map(
    (p) =>
      html`<li>${p.present ? html`<input type="hidden" name="s${p.id}" value="1">` : ''}<input type="checkbox" id="p${p.id}" name="p${p.id}" value="1"${p.present ? html` checked` : ''}> <label for="p${p.id}">${[p.name, p.institution].filter(Boolean).join(' · ')}${p.method === 'self' && p.present ? html` <span class="muted">(${t.self})</span>` : ''}</label></li>`,
  );
  sendPage(res, 200, {
    language,
    title: t.markTitle(activity.title, dayText(activity, ref.day, language)),
    body: invited.length
      ? html`${notice}<form method="post" action="/activity-presence/${token}"><fieldset><legend>${t.markLegend}</legend><ul class="plain">${boxes}</ul></fieldset>
<p><button type="submit">${presenceMessages[language].submit}</button></p></form>`
      : html`<p>${t.nobodyInvited}</p>`,
  });
}

class Refused extends Error {
  constructor(readonly reason: PresenceRefusal) {
    super(reason);
  }
}

const EMAIL = /^[^\s@]{1,200}@[^\s@]{1,200}\.[^\s@]{1,50}$/;

/**
 * The QR code's page. Whatever address is given, the answer is the same (no one learns who is
 * invited); an invited person's own link goes through the outbox to their first channel, once a day.
 */
async function venue(options: ActivityPresenceRoutesOptions, req: IncomingMessage, res: ServerResponse, token: string, method: 'GET' | 'POST'): Promise<void> {
  const link = checkActivityLink(options.appSecret, 'checkin-venue', token, options.clock.now());
  if (!link.ok) return sendBadLink(res, link.status, 'pl', 'form');
  const activity = await activityOf(options.db, link.ref);
  const language: Language = new URL(req.url ?? '/', 'http://x').searchParams.get('lang') === 'en' ? 'en' : 'pl';
  const t = activityPresenceMessages[language];
  if (!activity) return say(res, 404, language, t.venueTitle, presenceMessages[language].refusal.no_subject);
  const form = (problem?: string) =>
    sendPage(res, problem ? 400 : 200, {
      language,
      title: t.venueTitle,
      body: html`${problem ? html`<p class="notice bad" role="alert" id="e">${problem}</p>` : ''}<p>${t.venueText(activity.title)}</p>
<form method="post"><label for="email">${t.emailLabel}</label><input id="email" name="email" type="email" autocomplete="email" required maxlength="320"${problem ? html` aria-invalid="true" aria-describedby="e"` : ''}>
<p><button type="submit">${t.send}</button></p></form>`,
    });
  if (method === 'GET') return form();
  if (!sameOrigin(req, options.publicUrl)) return say(res, 403, language, t.venueTitle, presenceMessages[language].crossSite);
  const email = ((await readForm(req, 4096)).email ?? '').trim().toLowerCase();
  if (!EMAIL.test(email)) return form(t.venueBadEmail);
  const person = await options.db
    .selectFrom('people')
    .innerJoin('invitations', 'invitations.person_id', 'people.id')
    .select(['people.id', 'people.channels'])
    .where('invitations.activity_id', '=', activity.id)
    .where('people.email', '=', email)
    .where('people.removed_at', 'is', null)
    .executeTakeFirst();
  const { end } = activityDayTimes(activity, link.ref.day);
  if (person && end.toMillis() > options.clock.now().getTime()) {
    // The first channel first; the others only if it fails (the outbox's own fall-back).
    const channels = person.channels as ChannelKind[];
    const payload: SelfCheckinRef = { type: 'self_checkin', activityId: activity.id, day: link.ref.day, personId: String(person.id) };
    const added = await enqueue(options.db, [
      { key: `self_checkin:${activity.id}:${link.ref.day}:${person.id}`, kind: 'self_checkin', personId: person.id, channels: channels.length ? channels : ['email'], payload, dueAt: options.clock.now(), expiresAt: end.toJSDate() },
    ]);
    if (added) options.queued?.();
  }
  say(res, 200, language, t.venueTitle, t.venueSent, true);
}

/** The personal link: GET shows the one button (mail scanners open links), POST records the person's own presence. */
async function selfLink(options: ActivityPresenceRoutesOptions, req: IncomingMessage, res: ServerResponse, token: string, method: 'GET' | 'POST'): Promise<void> {
  const link = checkActivityLink(options.appSecret, 'checkin-self', token, options.clock.now());
  if (!link.ok) return sendBadLink(res, link.status, 'pl', 'form');
  const person: PersonRow | undefined = await options.db.selectFrom('people').selectAll().where('id', '=', Number(link.subject)).where('removed_at', 'is', null).executeTakeFirst();
  if (!person) return sendBadLink(res, 410, 'pl', 'form');
  const activity = await activityOf(options.db, link.ref);
  const language = person.language;
  const t = activityPresenceMessages[language];
  if (!activity) return say(res, 404, language, t.linkTitle, presenceMessages[language].refusal.no_subject);
  if (method === 'GET') {
    return sendPage(res, 200, {
      language,
      title: t.linkTitle,
      body: html`<p>${t.linkText(activity.title, dayText(activity, link.ref.day, language))}</p><form method="post"><p><button type="submit">${t.hereButton}</button></p></form>`,
    });
  }
  if (!sameOrigin(req, options.publicUrl)) return say(res, 403, language, t.linkTitle, presenceMessages[language].crossSite);
  const result = await markPresence(options.db, { kind: 'activity', refId: activity.id, day: link.ref.day, personId: person.id, present: true, method: 'self', markedBy: person.id }, options.clock);
  if (result.ok) {
    const answer = hereAnswer(language, { ok: true, activityId: activity.id, title: activity.title, day: link.ref.day, changed: result.changed }, activity.timezone);
    return say(res, 200, language, t.linkTitle, answer.text, true);
  }
  if ((result.reason === 'too_early' || result.reason === 'too_late') && result.window) {
    // Self check-in's own hours (it opens SELF_CHECKIN_EARLY_MINUTES before the start), not the staff's.
    const { start, end } = result.window;
    const text = t.linkNotNow(activity.title, formatDateTime(start.minus({ minutes: SELF_CHECKIN_EARLY_MINUTES }), language), formatDateTime(end, language), SELF_CHECKIN_EARLY_MINUTES);
    return say(res, result.reason === 'too_late' ? 410 : 403, language, presenceMessages[language].refusedTitle, text);
  }
  say(res, result.reason === 'too_late' ? 410 : 403, language, presenceMessages[language].refusedTitle, refusalText(language, result.reason));
}
