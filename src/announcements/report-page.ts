import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { html, sendPage, type PageOptions } from '../http/html/layout.js';
import type { Route } from '../http/router.js';
import { pageLanguage, staffMessagePage } from '../http/staff-message-page.js';
import { announcementMessages } from '../i18n/announcement-messages.js';
import type { Language } from '../i18n/messages.js';
import { staffPageMessages } from '../i18n/staff-page-messages.js';
import { deliveryReport, type DeliveryReport } from './announcement-message.js';
import { checkDeliveryReportLink } from './report-page-links.js';

export interface DeliveryReportPageOptions {
  db: Kysely<Database>;
  clock: Clock;
  appSecret: string;
}

/**
 * `/announcements/{signedToken}/report`: an announcement's delivery report for its author, counted
 * now, with every recipient not reached and why (the chat report is shortened where a platform
 * must, and links here). Purpose 'announcement-report', 30 days; read-only. Forged, for another
 * page or not the author's own 404; expired or a removed author 410.
 */
export function deliveryReportPageRoutes(options: DeliveryReportPageOptions): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/announcements\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\/report$/,
      name: 'announcement_report_page',
      handler: async (req, res, [token]) => {
        const check = checkDeliveryReportLink(options.appSecret, token!, options.clock.now());
        if (!check.ok) return sendPage(res, check.status, check.status === 410 ? staffMessagePage('both', 'expiredTitle', 'reportExpired') : staffMessagePage('both', 'badLinkTitle', 'reportBadLink'));
        const { db } = options;
        const person = await db.selectFrom('people').select(['id', 'language']).where('id', '=', check.personId).where('removed_at', 'is', null).executeTakeFirst();
        if (!person) return sendPage(res, 410, staffMessagePage('both', 'expiredTitle', 'reportExpired'));
        const announcement = await db.selectFrom('announcements').select(['id', 'text', 'author_id', 'state']).where('id', '=', check.announcementId).executeTakeFirst();
        if (!announcement || announcement.author_id !== person.id || announcement.state !== 'sent') return sendPage(res, 404, staffMessagePage('both', 'badLinkTitle', 'reportBadLink'));
        const language = pageLanguage(req.url, person.language);
        sendPage(res, 200, deliveryReportPage(language, `/announcements/${token}/report`, announcement, await deliveryReport(db, announcement.id, language)));
      },
    },
  ];
}

/** The counts, the channels, then every recipient not reached with the reason, and the announcement itself. */
export function deliveryReportPage(language: Language, path: string, announcement: { id: number; text: string }, r: DeliveryReport): PageOptions {
  const t = announcementMessages[language];
  const p = staffPageMessages[language];
  const fields: [string, string][] = [
    [t.byChannelLabel, r.byChannel.map(([channel, n]) => `${channel}: ${n}`).join(', ') || '—'],
    ...(r.pending ? [[t.pendingLabel, String(r.pending)] as [string, string]] : []),
  ];
  const failed = r.failed.length
    ? html`<table><thead><tr><th scope="col">${p.recipient}</th><th scope="col">${p.reason}</th></tr></thead>
<tbody>${r.failed.map((f) => html`<tr><td>${f.who}</td><td>${f.reason}</td></tr>`)}</tbody></table>`
    : html`<p>${p.allReached}</p>`;
  return {
    language,
    title: p.reportTitle(announcement.id),
    switchLanguageUrl: `${path}?lang=${language === 'pl' ? 'en' : 'pl'}`,
    body: html`<p>${t.reportText(r.reached, r.total)}</p>
<dl>${fields.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>
<h2>${t.failedLabel} (${r.failed.length})</h2>
${failed}
<h2>${p.text}</h2>
${announcement.text.split(/\n+/).map((line) => html`<p>${line}</p>`)}`,
  };
}
