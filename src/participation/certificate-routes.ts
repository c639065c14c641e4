import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database } from '../db/tables.js';
import { contentDisposition, fileSlug } from '../http/content-disposition.js';
import { html, sendPage } from '../http/html/layout.js';
import { sendBadLink } from '../http/me/bad-link-page.js';
import type { Route } from '../http/router.js';
import { pageLanguage } from '../http/staff-message-page.js';
import { formatDate } from '../i18n/format.js';
import { messages } from '../i18n/messages.js';
import { proofMessages } from '../i18n/proof-messages.js';
import { hoursText } from './activity-days.js';
import { certificateVerifyUrl, checkCertificateDownload, checkCertificateVerify } from './certificate-links.js';
import { attendedDates, loadCertificate, writeCertificatePdf } from './certificate-pdf.js';

export interface CertificateRouteOptions {
  db: Kysely<Database>;
  clock: Clock;
  appSecret: string;
  publicUrl: string;
}

/**
 * `GET /certificates/{token}`: the public verification page a certificate's link and QR code
 * open: genuine, and what it certifies as presence is recorded now (a forged or altered link, or a
 * certificate whose record is gone, is 404; a withdrawn one, with no presence left at a running
 * activity, is 404 with a page saying it is no longer valid). `GET /certificates/{token}.pdf`: the
 * person's own download link from the certificate message (404 forged or withdrawn, 410 expired).
 */
export function certificateRoutes(options: CertificateRouteOptions): Route[] {
  return [
    {
      method: 'GET',
      path: /^\/certificates\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/,
      name: 'certificate_verify',
      handler: async (req, res, [token]) => {
        const number = checkCertificateVerify(options.appSecret, token!, options.clock.now());
        const view = number === undefined ? undefined : await loadCertificate(options.db, { number });
        if (!view) return sendBadLink(res, 404, 'pl', 'certificate');
        const language = pageLanguage(req.url, 'pl');
        const t = proofMessages[language];
        // 404 like a number never issued, but saying why: whoever checks it must not take it as genuine.
        if (view.withdrawn) {
          return sendPage(res, 404, {
            language,
            title: t.verifyWithdrawnTitle,
            switchLanguageUrl: `/certificates/${token}?lang=${language === 'pl' ? 'en' : 'pl'}`,
            body: html`<p class="notice bad">${t.verifyWithdrawn(view.number)}</p>`,
          });
        }
        const f = t.verifyFields;
        const rows: [string, string][] = [
          [f.name, view.name],
          [f.institution, view.institution ?? '—'],
          [f.kind, messages[language].kind(view.activity.kind)],
          [f.activity, view.activity.title],
          [f.dates, attendedDates(view, language).join('; ')],
          [f.hours, hoursText(view.minutes, language)],
          [f.place, [view.activity.location, view.activity.online_url].filter(Boolean).join(', ') || '—'],
          [f.issued, formatDate(DateTime.fromJSDate(view.issuedAt, { zone: 'Europe/Warsaw' }), language)],
        ];
        sendPage(res, 200, {
          language,
          title: t.verifyGenuineTitle,
          switchLanguageUrl: `/certificates/${token}?lang=${language === 'pl' ? 'en' : 'pl'}`,
          body: html`<p class="notice ok">${t.verifyGenuine(view.number)}</p><dl>${rows.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`,
        });
      },
    },
    {
      method: 'GET',
      path: /^\/certificates\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\.pdf$/,
      name: 'certificate_pdf',
      handler: async (_req, res, [token]) => {
        const link = checkCertificateDownload(options.appSecret, token!, options.clock.now());
        if (!link.ok) return sendBadLink(res, link.status, 'pl', 'certificate');
        const view = await loadCertificate(options.db, { id: link.certificateId });
        const person = view && (await options.db.selectFrom('people').select('id').where('id', '=', view.personId).where('removed_at', 'is', null).executeTakeFirst());
        if (!view || view.withdrawn || !person || view.personId !== link.personId) return sendBadLink(res, 404, 'pl', 'certificate');
        const name = `zaświadczenie-${fileSlug(view.activity.id)}-${view.number.replace(/\//g, '-')}.pdf`;
        res.writeHead(200, {
          'content-type': 'application/pdf',
          'content-disposition': contentDisposition('inline', name),
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
        });
        await writeCertificatePdf(view, certificateVerifyUrl(options.publicUrl, options.appSecret, view.number), res);
      },
    },
  ];
}
