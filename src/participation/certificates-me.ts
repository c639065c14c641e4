import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.js';
import { html, type SafeHtml } from '../http/html/layout.js';
import type { Language } from '../i18n/messages.js';
import { proofMessages } from '../i18n/proof-messages.js';
import { attendedActivities } from './certificates.js';

export interface MeCertificate {
  activityId: string;
  title: string;
  /** Set once a certificate was issued: the same number comes again. */
  number: string | null;
}

/** The person's trainings and workshops with presence, and the number of each certificate already issued. */
export async function meCertificates(db: Kysely<Database>, personId: number): Promise<MeCertificate[]> {
  const attended = await attendedActivities(db, personId);
  if (attended.length === 0) return [];
  const issued = await db.selectFrom('certificates').select(['activity_id', 'number']).where('person_id', '=', personId).execute();
  const numbers = new Map(issued.map((c) => [c.activity_id, c.number]));
  return attended.map((a) => ({ activityId: a.activity.id, title: a.activity.title, number: numbers.get(a.activity.id) ?? null }));
}

/** The personal page's section: one "send me the certificate" button per event (a POST: mail scanners open links). */
export function meCertificatesSection(language: Language, base: string, items: MeCertificate[]): SafeHtml {
  if (items.length === 0) return html``;
  const t = proofMessages[language];
  return html`<section aria-labelledby="certificates-h"><h2 id="certificates-h">${t.meHeading}</h2><p>${t.meIntro}</p>
<ul class="plain">${items.map(
    (c) => html`<li><form method="post" action="${base}/certificate?lang=${language}"><input type="hidden" name="activity" value="${c.activityId}"><strong>${c.title}</strong>${c.number ? html` (${t.meNumber(c.number)})` : ''} <button type="submit" class="secondary">${t.meButton}</button></form></li>`,
  )}</ul></section>`;
}
