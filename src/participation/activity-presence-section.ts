import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../db/tables.js';
import { html, type SafeHtml } from '../http/html/layout.js';
import { formatDate } from '../i18n/format.js';
import type { Language } from '../i18n/messages.js';
import { activityPresenceMessages } from '../i18n/presence-messages.js';
import { activityPresenceUrl, posterUrl } from './activity-presence-links.js';
import { activityDays, LATE_CHANGE_DAYS } from './presence-window.js';

/** Activities whose presence matters now: starting within a week, running, or ended less than the late-change period ago. */
const AHEAD_DAYS = 7;

/**
 * The RCPS answers page's presence part: for each such activity and each of its local days, the
 * printable poster with the day's code and the page to mark who came (links signed for this
 * staff person).
 */
export async function activityPresenceSection(db: Kysely<Database>, language: Language, secret: string, publicUrl: string, staffId: number, now: Date): Promise<SafeHtml> {
  const activities = await db
    .selectFrom('activities')
    .selectAll()
    .where('cancelled_at', 'is', null)
    .where('starts_at', '<=', new Date(now.getTime() + AHEAD_DAYS * 86_400_000))
    .where('ends_at', '>=', new Date(now.getTime() - LATE_CHANGE_DAYS * 86_400_000))
    .orderBy('starts_at')
    .execute();
  if (activities.length === 0) return html``;
  const t = activityPresenceMessages[language];
  const path = (url: string) => new URL(url).pathname;
  const items = activities.map((a) => {
    const days = activityDays(a).map((day) => {
      const ref = { activityId: a.id, day };
      const shown = formatDate(DateTime.fromISO(day, { zone: a.timezone }), language);
      return html`<li><a href="${path(posterUrl(publicUrl, secret, staffId, ref, now))}">${t.posterLink(shown)}</a> · <a href="${path(activityPresenceUrl(publicUrl, secret, staffId, ref, now))}">${t.markLink(shown)}</a></li>`;
    });
    return html`<li>${a.title}<ul>${days}</ul></li>`;
  });
  return html`<section aria-labelledby="presence"><h2 id="presence">${t.sectionTitle}</h2><ul>${items}</ul></section>`;
}
