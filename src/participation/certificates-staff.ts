import type { IncomingMessage, ServerResponse } from 'node:http';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { html, sendPage, type SafeHtml } from '../http/html/layout.js';
import { readForm } from '../http/read-body.js';
import { sameOrigin } from '../http/same-origin.js';
import type { Language } from '../i18n/messages.js';
import { proofMessages } from '../i18n/proof-messages.js';
import { CERTIFIED_KINDS, sendCertificates } from './certificates.js';

/** How many past trainings and workshops the RCPS page offers certificates for (the newest). */
const SHOWN = 20;

/** Trainings and workshops with anyone present, newest first, with how many people were present. */
export async function activitiesWithPresence(db: Kysely<Database>, activityId?: string): Promise<{ id: string; title: string; present: number }[]> {
  let query = db
    .selectFrom('attendance')
    .innerJoin('activities', 'activities.id', 'attendance.ref_id')
    .select(['activities.id', 'activities.title', 'activities.starts_at', sql<string>`count(distinct attendance.person_id)`.as('present')])
    .where('attendance.kind', '=', 'activity')
    .where('attendance.present', '=', true)
    .where('activities.kind', 'in', CERTIFIED_KINDS)
    .where('activities.cancelled_at', 'is', null)
    .groupBy(['activities.id', 'activities.title', 'activities.starts_at'])
    .orderBy('activities.starts_at', 'desc')
    .limit(SHOWN);
  if (activityId !== undefined) query = query.where('activities.id', '=', activityId);
  const rows = await query.execute();
  return rows.map((r) => ({ id: r.id, title: r.title, present: Number(r.present) }));
}

/** The section of the RCPS answers page: one "send to everyone present" button per activity. */
export function certificatesSection(language: Language, path: string, activities: { id: string; title: string; present: number }[]): SafeHtml {
  if (activities.length === 0) return html``;
  const t = proofMessages[language];
  return html`<section aria-labelledby="certificates"><h2 id="certificates">${t.sendAllHeading}</h2><p>${t.sendAllIntro}</p>
<ul class="plain">${activities.map(
    (a) => html`<li><form method="post" action="${path}/certificates"><input type="hidden" name="activity" value="${a.id}"><span>${a.title} (${t.presentCount(a.present)})</span> <button type="submit">${t.sendAllButton(a.title)}</button></form></li>`,
  )}</ul></section>`;
}

/**
 * POST `{answers page}/certificates` with `activity`: RCPS sends every person present their
 * certificate (src/participation/certificates.ts). The caller has checked the link and the
 * staff role; this checks the form came from our page and names a certifiable activity.
 */
export async function sendToAllPresent(
  options: { db: Kysely<Database>; clock: Clock; publicUrl: string; onQueued?: () => void },
  req: IncomingMessage,
  res: ServerResponse,
  language: Language,
  back: string,
): Promise<void> {
  const form = await readForm(req, 4096);
  const t = proofMessages[language];
  const backLink = html`<p><a href="${back}">${language === 'pl' ? 'Powrót do strony' : 'Back to the page'}</a></p>`;
  if (!sameOrigin(req, options.publicUrl)) return sendPage(res, 403, { language, title: t.sendAllHeading, body: html`<p class="notice bad">${t.sendAllForeign}</p>${backLink}` });
  const [activity] = await activitiesWithPresence(options.db, form.activity ?? '');
  if (!activity) return sendPage(res, 404, { language, title: t.sendAllHeading, body: html`<p class="notice bad">${t.sendAllNotFound}</p>${backLink}` });
  const { sent } = await sendCertificates(options.db, { activityId: activity.id, mode: 'all', now: options.clock.now() });
  if (sent > 0) options.onQueued?.();
  sendPage(res, 200, { language, title: t.sendAllDoneTitle, body: html`<p class="notice ok">${t.sendAllDone(sent, activity.title)}</p>${backLink}` });
}
